// A raw RTMP client for tests: sends exactly the bytes a test wants (well-formed or not) and tells what the server
// answered and whether, and how soon, it closed the connection.
import { connect, type Socket } from 'node:net';
import {
  connectCommand,
  createStreamCommand,
  HANDSHAKE_C2,
  HANDSHAKE_REPLY_BYTES,
  handshakeC0C1,
  publishCommand,
} from './rtmp-bytes.js';
import { waitFor } from './shopcast.js';

export interface RawRtmpClientOptions {
  port: number;
  host?: string;
  /** Source address (any 127.x.y.z works on Linux loopback): another client, as far as the server can tell. */
  localAddress?: string;
}

export class RawRtmpClient {
  readonly socket: Socket;
  #received = Buffer.alloc(0);
  #closedAtMs: number | undefined;
  readonly closed: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (bytes: Buffer) => {
      this.#received = Buffer.concat([this.#received, bytes]);
    });
    // Writes into a connection the server cut fail with EPIPE/ECONNRESET: that is what the tests look for.
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.#closedAtMs = Date.now();
        resolve();
      }),
    );
  }

  static async open(opts: RawRtmpClientOptions): Promise<RawRtmpClient> {
    const socket = connect({ port: opts.port, host: opts.host ?? '127.0.0.1', localAddress: opts.localAddress });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawRtmpClient(socket);
  }

  get isClosed(): boolean {
    return this.#closedAtMs !== undefined;
  }

  get closedAtMs(): number | undefined {
    return this.#closedAtMs;
  }

  /** Everything the server sent, as latin1 text: status codes and descriptions are plain ASCII in AMF0. */
  get text(): string {
    return this.#received.toString('latin1');
  }

  get receivedBytes(): number {
    return this.#received.length;
  }

  send(bytes: Buffer): boolean {
    if (this.socket.destroyed || this.socket.writableEnded) return false;
    this.socket.write(bytes);
    return true;
  }

  async handshake(): Promise<void> {
    this.send(handshakeC0C1());
    await waitFor('the server handshake', () => this.#received.length >= HANDSHAKE_REPLY_BYTES || this.isClosed, 5000, 10);
    if (this.isClosed) throw new Error('the server closed the connection during the handshake');
    this.send(HANDSHAKE_C2);
  }

  /** Waits until the server sent `text` (true) or closed the connection first (false). */
  async answered(text: string, timeoutMs = 5000): Promise<boolean> {
    await waitFor(`"${text}" or a close`, () => this.text.includes(text) || this.isClosed, timeoutMs, 10);
    return this.text.includes(text);
  }

  /** Handshake, connect to `app` and publish `key`; resolves with the publish status code the server sent. */
  async publish(key: string, app = 'live'): Promise<string | undefined> {
    await this.handshake();
    this.send(connectCommand(app));
    await this.answered('NetConnection.Connect.');
    this.send(createStreamCommand());
    this.send(publishCommand(key));
    await waitFor('a publish status or a close', () => /NetStream\.Publish\.[A-Za-z]+/.test(this.text) || this.isClosed, 5000, 10);
    return /NetStream\.Publish\.[A-Za-z]+/.exec(this.text)?.[0];
  }

  destroy(): void {
    this.socket.destroy();
  }
}
