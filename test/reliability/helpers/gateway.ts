// The real gateway for reliability tests (test/e2e/helpers/shopcast.ts starts it), with a known admin token, and the
// operator views a test reads: the live streams' figures and the health probe.
import { startShopcast, waitFor, type Shopcast, type StartOptions } from '../../e2e/helpers/shopcast.js';

export const ADMIN_TOKEN = 'sc_reliability-admin-token-0123456789abcdef';

export async function startGateway(opts: StartOptions): Promise<Shopcast> {
  return startShopcast({ ...opts, env: { SHOPCAST_ADMIN_TOKEN: ADMIN_TOKEN, ...opts.env } });
}

/** What a test reads of a live stream in GET /api/streams. */
export interface StreamFigures {
  slug: string;
  state: string;
  transcoder: { state: string; pid: number | null; runId: string | null; restarts: number; lastError: string | null } | null;
  packager: { showId: string; ended: boolean; discontinuitySequence: number } | null;
}

export async function adminGet(sc: Shopcast, urlPath: string): Promise<Response> {
  return fetch(sc.httpUrl + urlPath, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` }, signal: AbortSignal.timeout(5000) });
}

export async function stream(sc: Shopcast, slug = 'demo'): Promise<StreamFigures | undefined> {
  const res = await adminGet(sc, '/api/streams');
  if (res.status !== 200) throw new Error(`/api/streams answered ${res.status}`);
  const { streams } = (await res.json()) as { streams: StreamFigures[] };
  return streams.find((s) => s.slug === slug);
}

/** The public probe's status (what a load balancer sees) with the admin's detailed checks. */
export async function health(sc: Shopcast): Promise<{ status: number; body: { ok: boolean; checks?: Record<string, unknown> } }> {
  const probe = await sc.get('/healthz');
  const details = await adminGet(sc, '/api/health');
  return { status: probe.status, body: (await details.json()) as { ok: boolean; checks?: Record<string, unknown> } };
}

/** The FFmpeg pid of a live stream once its transcoder runs. */
export async function transcoderPid(sc: Shopcast, { other, slug = 'demo', timeoutMs = 20_000 }: { other?: number; slug?: string; timeoutMs?: number } = {}): Promise<number> {
  return waitFor('a running transcoder', async () => {
    const t = (await stream(sc, slug))?.transcoder;
    return t?.pid != null && t.pid !== other && t.state === 'running' ? t.pid : undefined;
  }, timeoutMs, 100);
}
