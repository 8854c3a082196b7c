// Starts the real shopcast (as `npm start` does) on free ports with a temporary data folder, for end-to-end tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const OUTPUT_DIR = path.join(ROOT, 'test-output');
/** What `npm start` runs (after building): tests exercise the same artifact users do. */
export const SHOPCAST_MAIN = path.join(ROOT, 'dist', 'main.js');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 15_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface Shopcast {
  httpUrl: string;
  httpPort: number;
  rtmpUrl: string;
  rtmpPort: number;
  streamKey: string;
  /** SHOPCAST_ADMIN_TOKEN of this start (a random one unless the test set it; undefined if it set it empty). */
  adminToken: string | undefined;
  dataDir: string;
  logFile: string;
  process: ChildProcess;
  logs(): LogLine[];
  rawLogs(): string;
  get(urlPath: string): Promise<Response>;
  json<T>(urlPath: string): Promise<T>;
  /** GET with the admin token (operator routes: /api/streams, /api/health); throws unless 200. */
  adminJson<T>(urlPath: string): Promise<T>;
  text(urlPath: string): Promise<string>;
  /** Sends `signal` (default SIGTERM: a graceful stop; SIGKILL: a crash) and resolves with the exit code. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<number | null>;
}

export interface StartOptions {
  name: string;
  env?: Record<string, string>;
  dataDir?: string;
  streamKey?: string;
  /** Ports to listen on (default: free ones), e.g. those of a gateway this one replaces, so pages keep their URLs. */
  httpPort?: number;
  rtmpPort?: number;
}

export async function startShopcast(opts: StartOptions): Promise<Shopcast> {
  const httpPort = opts.httpPort ?? (await freePort());
  const rtmpPort = opts.rtmpPort ?? (await freePort());
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), `shopcast-${opts.name}-`));
  const streamKey = opts.streamKey ?? randomBytes(24).toString('base64url');
  const adminEnv = opts.env?.SHOPCAST_ADMIN_TOKEN ?? `sc_${randomBytes(32).toString('base64url')}`;
  const adminToken = adminEnv === '' ? undefined : adminEnv;
  mkdirSync(path.join(OUTPUT_DIR, 'logs'), { recursive: true });
  const logFile = path.join(OUTPUT_DIR, 'logs', `${opts.name}-${Date.now()}.log`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SHOPCAST_HOST: '127.0.0.1',
    SHOPCAST_HTTP_PORT: String(httpPort),
    SHOPCAST_RTMP_PORT: String(rtmpPort),
    SHOPCAST_DATA_DIR: dataDir,
    SHOPCAST_PUBLIC_URL: `http://127.0.0.1:${httpPort}`,
    SHOPCAST_DEMO_KEY: streamKey,
    SHOPCAST_LOG_LEVEL: 'debug',
    ...opts.env,
    SHOPCAST_ADMIN_TOKEN: adminEnv,
  };
  const child = spawn(process.execPath, [SHOPCAST_MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = createWriteStream(logFile);
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const rawLogs = (): string => readFileSync(logFile, 'utf8');
  const shopcast: Shopcast = {
    httpUrl,
    httpPort,
    rtmpUrl: `rtmp://127.0.0.1:${rtmpPort}/live`,
    rtmpPort,
    streamKey,
    adminToken,
    dataDir,
    logFile,
    process: child,
    rawLogs,
    logs: () =>
      rawLogs()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as LogLine),
    get: (urlPath) => fetch(httpUrl + urlPath),
    json: async <T>(urlPath: string) => (await (await fetch(httpUrl + urlPath)).json()) as T,
    adminJson: async <T>(urlPath: string) => {
      if (adminToken === undefined) throw new Error(`${urlPath}: this shopcast was started without an admin token`);
      const res = await fetch(httpUrl + urlPath, { headers: { Authorization: `Bearer ${adminToken}` } });
      if (res.status !== 200) throw new Error(`${urlPath}: HTTP ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    text: async (urlPath) => {
      const res = await fetch(httpUrl + urlPath);
      if (!res.ok) throw new Error(`${urlPath}: HTTP ${res.status}`);
      return res.text();
    },
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  // The banner comes once every listener is up (HTTP answers /healthz a moment before RTMP listens).
  const ready = async (): Promise<boolean> =>
    (await shopcast.get('/healthz')).status === 200 && rawLogs().includes('shopcast is running.');
  const started = await Promise.race([
    waitFor('shopcast to start', ready, 30_000).then(() => true),
    exited.then(() => false),
  ]);
  if (!started) throw new Error(`shopcast exited during start; log ${logFile}:\n${rawLogs().slice(-3000)}`);
  return shopcast;
}
