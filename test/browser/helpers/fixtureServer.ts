// Dev harness for the product page: a real Origin serving a real FFmpeg-encoded stream, with a status you switch.
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../../src/log.js';
import { Origin } from '../../../src/origin/index.js';
import type { HealthReport, StreamHealth, StreamReport } from '../../../src/origin/api/schemas.js';
import type { ChannelState, ChannelStatus, StatusReader } from '../../../src/origin/ports.js';
import { apiFixture } from '../../unit/origin/apiFixture.js';
import { healthReport, streamHealth, streamReport } from '../../unit/origin/fakes.js';
import { fixtureStream, type Orientation } from './fixtureStream.js';
import { SimulatedLiveMedia } from './simulatedLive.js';

export const PUBLIC_DIR = fileURLToPath(new URL('../../../public', import.meta.url));

export interface FixtureServerOptions {
  orientation: Orientation;
  slug?: string;
  title?: string;
  /** Initial channel state (default 'offline'). */
  state?: ChannelState;
}

export interface FixtureServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** The product page of the fixture channel. */
  watchUrl: string;
  slug: string;
  /** Switches what /api/channels/<slug> says; 'live' starts the simulated stream, 'ended' closes its playlists. */
  setState(state: ChannelState): void;
  /** Makes every playlist and segment 404 for `durationMs` (the status still says live). */
  outage(durationMs: number): void;
  stop(): Promise<void>;
}

/** Status of the one fixture channel, driven by the test. */
class SwitchableStatus implements StatusReader {
  state: ChannelState;
  startedAt: string | null = null;
  endedAt: string | null = null;
  readonly #slug: string;
  readonly #title: string;

  constructor(opts: { slug: string; title: string; state: ChannelState }) {
    this.#slug = opts.slug;
    this.#title = opts.title;
    this.state = opts.state;
  }

  channel(slug: string): ChannelStatus | undefined {
    if (slug !== this.#slug) return undefined;
    return {
      slug,
      title: this.#title,
      state: this.state,
      playable: this.state === 'live' || this.state === 'reconnecting',
      masterUrl: `/live/${slug}/master.m3u8`,
      startedAt: this.startedAt,
      endedAt: this.endedAt,
    };
  }

  streams(): StreamReport[] {
    const live = this.state === 'live' || this.state === 'reconnecting';
    return live ? [streamReport(this.#slug)] : [];
  }

  streamHealth(slug: string): StreamHealth | undefined {
    const status = this.channel(slug);
    if (!status) return undefined;
    const [live] = this.streams();
    return live ? streamHealth(live) : { slug, state: status.state, since: null, ingest: null, transcoder: null };
  }

  health(): HealthReport {
    return healthReport(true);
  }
}

export async function startFixtureServer(opts: FixtureServerOptions): Promise<FixtureServer> {
  const slug = opts.slug ?? 'demo';
  const stream = await fixtureStream({ orientation: opts.orientation });
  const media = new SimulatedLiveMedia({ slug, stream });
  const title = opts.title ?? 'Spring sneaker drop';
  const status = new SwitchableStatus({ slug, title, state: 'offline' });
  const origin = new Origin({
    media,
    status,
    log: createLogger(process.env.SHOPCAST_LOG_LEVEL ?? 'warn'),
    publicDir: PUBLIC_DIR,
    api: apiFixture({ channel: { slug, title } }).services,
    host: '127.0.0.1',
    port: 0,
  });
  const { port } = await origin.start();
  const url = `http://127.0.0.1:${port}`;

  const setState = (state: ChannelState): void => {
    const now = new Date().toISOString();
    if (state === 'live' || state === 'reconnecting') {
      media.goLive();
      status.startedAt ??= now;
    }
    if (state === 'ended') {
      media.end();
      status.endedAt = now;
    }
    status.state = state;
  };
  setState(opts.state ?? 'offline');

  return {
    url,
    watchUrl: `${url}/watch/${slug}`,
    slug,
    setState,
    outage: (durationMs) => media.outage(durationMs),
    stop: () => origin.stop(),
  };
}
