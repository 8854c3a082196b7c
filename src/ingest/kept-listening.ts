// Keeps a listening socket listening: if it fails or closes behind shopcast's back, a new one is bound to the same
// port within about two seconds, while the connections already open carry on.
import type { AddressInfo, Server } from 'node:net';
import type { Logger } from '../log.js';

export interface KeptListeningOptions {
  /** For messages: 'RTMP' or 'RTMPS'. */
  name: string;
  host: string;
  /** 0 picks a free port at the first start; re-binding uses the port that was bound. */
  port: number;
  /** A fresh server with its connection handling attached, for each (re)start. */
  create(): Server;
  log: Logger;
  /** Waits before each re-bind attempt; the last one repeats. */
  retryDelaysMs?: readonly number[];
  /** Tells the user what to change when the port is taken at the first start. */
  portSetting: string;
}

const RETRY_DELAYS_MS = [100, 500, 1000, 2000] as const;

export class KeptListening {
  readonly #opts: KeptListeningOptions;
  #server: Server | undefined;
  #port: number;
  #stopped = false;
  #retry: NodeJS.Timeout | undefined;
  #restarts = 0;

  constructor(opts: KeptListeningOptions) {
    this.#opts = opts;
    this.#port = opts.port;
  }

  get port(): number {
    return this.#port;
  }

  /** Times the listener had to be bound again since start. */
  get restarts(): number {
    return this.#restarts;
  }

  /** The first bind; a failure (port taken) rejects with a message that says what to change. */
  async start(): Promise<void> {
    try {
      await this.#bind();
    } catch (err) {
      const { name, host, portSetting } = this.#opts;
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(
        code === 'EADDRINUSE'
          ? `${name} port ${host}:${this.#opts.port} is already in use: stop the other server or set ${portSetting}`
          : `${name} listener failed: ${(err as Error).message}`,
        { cause: err },
      );
    }
    this.#opts.log.info({ host: this.#opts.host, port: this.#port }, `${this.#opts.name} ingest listening`);
  }

  /** Stops accepting at once; connections already open are the caller's to end (close() would wait for them). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
    this.#server?.close();
    this.#server = undefined;
  }

  async #bind(): Promise<void> {
    const server = this.#opts.create();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.#opts.host, port: this.#port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
    server.on('error', (err) => this.#lost(server, `error: ${err.message}`));
    server.on('close', () => this.#lost(server, 'closed'));
  }

  #lost(server: Server, why: string): void {
    if (this.#stopped || this.#server !== server) return;
    this.#server = undefined;
    server.close();
    this.#opts.log.error({ port: this.#port, why }, `${this.#opts.name} listener lost: binding it again`);
    this.#rebind(0);
  }

  #rebind(attempt: number): void {
    const delays = this.#opts.retryDelaysMs ?? RETRY_DELAYS_MS;
    const delay = delays[Math.min(attempt, delays.length - 1)] ?? 1000;
    this.#retry = setTimeout(() => {
      if (this.#stopped) return;
      this.#bind().then(
        () => {
          this.#restarts += 1;
          this.#opts.log.warn({ port: this.#port, attempt: attempt + 1 }, `${this.#opts.name} listener bound again`);
        },
        (err: Error) => {
          this.#opts.log.error({ port: this.#port, err: err.message }, `${this.#opts.name} listener could not be bound yet`);
          this.#rebind(attempt + 1);
        },
      );
    }, delay);
  }
}
