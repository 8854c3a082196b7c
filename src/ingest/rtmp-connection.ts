// One RTMP(S) client connection, owned by shopcast: every byte goes through the guarded protocol, a deadline bounds
// the time to publish, a silent publisher is cut, and every ending is one log line and a socket that is really gone.
import type { Socket } from 'node:net';
import type { ConnectionFields, ConnectionLog } from './connection-log.js';
import { RtmpProtocol, RtmpRefusal, type PublishRefusalCode } from './rtmp-protocol.js';
import type { AnnouncedMetadata } from './tap.js';

export type RtmpTransport = 'rtmp' | 'rtmps';

export interface PublishRequest {
  connectionId: string;
  transport: RtmpTransport;
  /** The client's address (normalised, without port). */
  address: string;
  /** Secret: never log it. */
  key: string;
  /** Ends this connection at once (its key was rotated, its channel deleted, a probe failed). */
  cut(reason: string): void;
}

/** Where an accepted publish's media goes, and who hears that it ended. */
export interface AcceptedPublish {
  /** Channel the key belongs to, for log lines. */
  slug: string;
  media(tag: Buffer): void;
  metadata(announced: AnnouncedMetadata): void;
  /** The connection ended (for whatever reason); called once. */
  ended(reason: string): void;
}

export type PublishDecision =
  | { accepted: true; publish: AcceptedPublish }
  | { accepted: false; code: PublishRefusalCode; reason: string; slug: string | null };

/** The ingest's side: which application exists and whether a key may publish now. */
export interface PublishGate {
  /** null accepts the application; else the reason it does not exist. */
  application(app: string): string | null;
  decide(request: PublishRequest): PublishDecision;
}

export interface RtmpConnectionOptions {
  socket: Socket;
  id: string;
  address: string;
  /** How the client came in, for log lines and the publish decision. */
  transport: RtmpTransport;
  gate: PublishGate;
  log: ConnectionLog;
  /** Handshake, connect and publish must be done within this. */
  publishDeadlineMs: number;
  /** A publisher that sends nothing this long is cut (its show waits in the reconnect window). */
  idleTimeoutMs: number;
  /** The socket is gone (for connection counting). */
  onClosed(): void;
}

/**
 * After an answer (a refusal, why a publisher was cut) the client has this long to read it and close; then the socket
 * is destroyed, whatever the client does.
 */
const ANSWER_LINGER_MS = 500;

export class RtmpConnection {
  readonly #opts: RtmpConnectionOptions;
  /** Made at the first byte: a connection that sends nothing costs no parser. */
  #protocol: RtmpProtocol | undefined;
  readonly #deadline: NodeJS.Timeout;
  #publish: AcceptedPublish | undefined;
  /** Channel of the key last presented, for log lines. */
  #slug: string | null = null;
  #ended = false;

  constructor(opts: RtmpConnectionOptions) {
    this.#opts = opts;
    const { socket } = opts;
    this.#deadline = setTimeout(() => this.cut('no publish within the handshake deadline'), opts.publishDeadlineMs);
    socket.setNoDelay(true);
    socket.on('data', this.#onData);
    socket.on('error', (err: NodeJS.ErrnoException) => this.#end(`socket error ${err.code ?? err.message}`, 'closed'));
    socket.on('timeout', () => this.cut(`no media for ${Math.round(opts.idleTimeoutMs / 1000)} s`));
    socket.once('close', () => {
      this.#end('client closed the connection', 'closed');
      opts.onClosed();
    });
  }

  /**
   * Ends the connection now: its publish ends at once and the socket is destroyed (no half-close a client could
   * ignore). A publisher is first told why in an error status, so the encoder can say it ("stream key rotated").
   */
  cut(reason: string): void {
    if (this.#ended) return;
    if (this.#protocol?.publishing !== true) return this.#end(reason, 'cut');
    this.#protocol.endPublish(reason);
    this.#endAfterAnswer(reason, 'info', 'publisher disconnected');
  }

  #onData = (bytes: Buffer): void => {
    if (this.#ended) return;
    try {
      this.#protocol ??= this.#newProtocol();
      this.#protocol.push(bytes);
    } catch (err) {
      // Whatever the library or a handler threw ends this one connection, and nothing else.
      if (err instanceof RtmpRefusal) this.#refused(err);
      else this.#end(`protocol error: ${err instanceof Error ? err.message : String(err)}`, 'broken');
    }
  };

  #newProtocol(): RtmpProtocol {
    const { socket, gate } = this.#opts;
    return new RtmpProtocol({
      output: (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      },
      connect: (app) => gate.application(app),
      publish: (key) => this.#decide(key),
      media: (tag) => this.#publish?.media(tag),
      metadata: (announced) => this.#publish?.metadata(announced),
    });
  }

  #decide(key: string): ReturnType<typeof answer> {
    const { id, address, transport, gate } = this.#opts;
    const decision = gate.decide({ connectionId: id, address, transport, key, cut: (reason) => this.cut(reason) });
    this.#slug = decision.accepted ? decision.publish.slug : decision.slug;
    if (decision.accepted) {
      this.#publish = decision.publish;
      clearTimeout(this.#deadline);
      this.#opts.socket.setTimeout(this.#opts.idleTimeoutMs);
    }
    return answer(decision);
  }

  #refused(refusal: RtmpRefusal): void {
    this.#endAfterAnswer(refusal.message, 'warn', `${refusal.command} refused`);
  }

  /** The client was sent why; the socket goes once the client closed it (or after ANSWER_LINGER_MS). */
  #endAfterAnswer(reason: string, level: 'info' | 'warn', message: string): void {
    if (this.#ended) return;
    const { socket } = this.#opts;
    const publish = this.#publish;
    this.#finish();
    this.#opts.log[level](this.#fields(reason), message);
    socket.off('data', this.#onData);
    // What the client still sends is read and dropped: closing with unread bytes resets the connection, and a reset
    // makes the client's system discard the answer before the encoder has read it.
    socket.resume();
    const timer = setTimeout(() => socket.destroy(), ANSWER_LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    socket.end();
    publish?.ended(reason);
  }

  /**
   * `cut`: shopcast ended it; `broken`: the client sent what cannot be parsed; `closed`: the client or the network
   * ended it (the ingest tells of a publisher's).
   */
  #end(reason: string, how: 'cut' | 'broken' | 'closed'): void {
    if (this.#ended) return;
    const publish = this.#publish;
    this.#finish();
    this.#opts.socket.destroy();
    const fields = this.#fields(reason);
    if (how === 'closed') this.#opts.log.debug(fields, 'rtmp connection closed');
    else this.#opts.log.warn(fields, 'rtmp connection cut');
    publish?.ended(reason);
  }

  #fields(reason: string): ConnectionFields {
    return { ip: this.#opts.address, connection: this.#opts.id, transport: this.#opts.transport, slug: this.#slug, reason };
  }

  #finish(): void {
    this.#ended = true;
    this.#protocol = undefined;
    clearTimeout(this.#deadline);
    this.#opts.socket.setTimeout(0);
  }
}

function answer(decision: PublishDecision): { ok: true } | { ok: false; code: PublishRefusalCode; reason: string } {
  return decision.accepted ? { ok: true } : { ok: false, code: decision.code, reason: decision.reason };
}
