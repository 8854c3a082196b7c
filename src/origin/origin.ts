// The origin's HTTP listener: binds, reports a taken port clearly, and shuts down without hanging on keep-alives.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import { createOriginServer } from './listener.js';
import { createOriginHandler } from './originApp.js';
import type { ApiOptions } from './api/index.js';
import type { HttpWorkers } from './httpWorkers.js';
import type { OriginAppOptions } from './originApp.js';
import type { MediaLibrary, StatusReader } from './ports.js';

export interface OriginOptions extends Pick<OriginAppOptions, 'posters' | 'vod' | 'previews' | 'metrics'> {
  media: MediaLibrary;
  status: StatusReader;
  log: Logger;
  publicDir: string;
  api: Omit<ApiOptions, 'status'>;
  host: string;
  /** 0 picks a free port; start() tells which. */
  port: number;
  /** How long stop() lets requests in flight finish before cutting their connections (default 3000). */
  drainMs?: number;
  /** Processes that share the listening socket and answer public media themselves (none: this process does all). */
  workers?: HttpWorkers;
}

const DEFAULT_DRAIN_MS = 3000;

export class Origin {
  readonly #opts: OriginOptions;
  readonly #log: Logger;
  #server: Server | undefined;
  /** Loopback listener where the workers forward what they do not answer themselves. */
  #upstream: Server | undefined;

  constructor(opts: OriginOptions) {
    this.#opts = opts;
    this.#log = opts.log;
  }

  async start(): Promise<{ port: number }> {
    if (this.#server !== undefined) throw new Error('origin: already started');
    const { host, port } = this.#opts;
    const handler = createOriginHandler({
      ...this.#opts,
      log: this.#log,
      segmentCacheBytes: this.#opts.workers?.segmentCacheShare,
    });
    const server = await this.#listen(createOriginServer(handler, this.#log), host, port);
    this.#server = server;
    const bound = (server.address() as AddressInfo).port;
    const workers = this.#opts.workers;
    if (workers) {
      const upstream = await this.#listen(createOriginServer(handler, this.#log), '127.0.0.1', 0);
      this.#upstream = upstream;
      await workers.start(server, (upstream.address() as AddressInfo).port);
    }
    this.#log.info({ host, port: bound }, 'origin listening');
    return { port: bound };
  }

  async #listen(server: Server, host: string, port: number): Promise<Server> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        const reason = err.code === 'EADDRINUSE' ? 'is already in use' : `cannot be bound (${err.code ?? err.message})`;
        reject(new Error(`origin: HTTP port ${host}:${port} ${reason}`, { cause: err }));
      };
      server.once('error', onError);
      server.listen({ host, port }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (err) => this.#log.error({ err }, 'HTTP server error'));
    return server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    const drainMs = this.#opts.drainMs ?? DEFAULT_DRAIN_MS;
    // Workers first: what they forward still needs the upstream listener while they drain.
    await this.#opts.workers?.stop(drainMs);
    const upstream = this.#upstream;
    this.#upstream = undefined;
    await Promise.all([server, ...(upstream ? [upstream] : [])].map((s) => close(s, drainMs)));
    this.#log.info('origin stopped');
  }
}

/** Stops accepting and drops idle keep-alive sockets; busy ones get a grace period, then are cut. */
async function close(server: Server, drainMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), drainMs);
  await closed;
  clearTimeout(timer);
}
