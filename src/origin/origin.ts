// The origin's HTTP listener: binds, reports a taken port clearly, and shuts down without hanging on keep-alives.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import { createOriginHandler } from './originApp.js';
import type { MediaLibrary, StatusReader } from './ports.js';

export interface OriginOptions {
  media: MediaLibrary;
  status: StatusReader;
  log: Logger;
  publicDir: string;
  host: string;
  /** 0 picks a free port; start() tells which. */
  port: number;
  /** How long stop() lets requests in flight finish before cutting their connections (default 3000). */
  drainMs?: number;
}

const DEFAULT_DRAIN_MS = 3000;

export class Origin {
  readonly #opts: OriginOptions;
  readonly #log: Logger;
  #server: Server | undefined;

  constructor(opts: OriginOptions) {
    this.#opts = opts;
    this.#log = opts.log;
  }

  async start(): Promise<{ port: number }> {
    if (this.#server !== undefined) throw new Error('origin: already started');
    const { host, port } = this.#opts;
    const server = createServer(createOriginHandler({ ...this.#opts, log: this.#log }));
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
    this.#server = server;
    const bound = (server.address() as AddressInfo).port;
    this.#log.info({ host, port: bound }, 'origin listening');
    return { port: bound };
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // close() stops accepting and drops idle keep-alive sockets; busy ones get a grace period, then are cut.
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), this.#opts.drainMs ?? DEFAULT_DRAIN_MS);
    await closed;
    clearTimeout(timer);
    this.#log.info('origin stopped');
  }
}
