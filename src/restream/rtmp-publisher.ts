// Publishes a live stream to another platform over RTMP(S) with shopcast's own client rather than an FFmpeg process,
// whose command line (with the destination's stream key) every local user could read. The key goes into the publish
// command and nowhere else: not in a log line, not in an error.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { TAG_AUDIO, TAG_SCRIPT, TAG_VIDEO, type FlvTag } from '../ingest/flv.js';
import type { Logger } from '../log.js';
import { decodeAmf0, encodeAmf0, type Amf0Object, type Amf0Value } from './amf0.js';
import {
  acknowledgementMessage,
  ChunkReader,
  encodeChunks,
  MESSAGE,
  pingResponseMessage,
  setChunkSizeMessage,
  windowAckSizeMessage,
  type RtmpMessage,
} from './rtmp-chunks.js';

export interface RtmpTarget {
  /** `rtmp://host[:port]/app[/instance...]` or `rtmps://...`, without the key. */
  url: string;
  /** A secret. */
  streamKey: string;
}

/**
 * `invalid`: the target cannot be used as given; `unreachable`: no TCP connection; `tls`: the TLS handshake failed (an
 * untrusted certificate among others); `timeout`: the connect sequence ran past its bound; `refused`: the destination
 * said no or hung up on our connect or publish; `protocol`: it broke RTMP; `closed`: the connection ended otherwise;
 * `stalled`: it stopped reading what we sent.
 */
export type RtmpPushErrorKind = 'invalid' | 'unreachable' | 'tls' | 'timeout' | 'refused' | 'protocol' | 'closed' | 'stalled';

/** A failed or ended push; the message is safe to log and to show the seller (the key redacted wherever it appeared). */
export class RtmpPushError extends Error {
  constructor(
    readonly kind: RtmpPushErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'RtmpPushError';
  }
}

export interface RtmpPublisherOptions {
  /** Bound on TCP, TLS, handshake, connect, createStream and publish together. */
  connectTimeoutMs?: number;
  /** Bytes the socket may hold unsent before video is dropped to the next keyframe. */
  maxBufferedBytes?: number;
  /** How long nothing may drain from a non-empty send buffer before the push ends as stalled. */
  stallTimeoutMs?: number;
  /** How long `close()` waits for the destination to take the goodbye before cutting the connection. */
  closeTimeoutMs?: number;
  /** Certificates to trust for RTMPS instead of the well-known CAs (NODE_EXTRA_CA_CERTS adds to those instead). */
  ca?: tls.ConnectionOptions['ca'];
  log?: Logger;
}

/** Where a target points, as the protocol needs it. */
export interface RtmpEndpoint {
  secure: boolean;
  host: string;
  port: number;
  /** Everything after the host, as nginx-rtmp and the big platforms expect it (`live2`, `live/app`). */
  app: string;
  tcUrl: string;
}

const DEFAULTS = {
  connectTimeoutMs: 10_000,
  // A few seconds of a 6 Mb/s stream.
  maxBufferedBytes: 4 * 1024 * 1024,
  stallTimeoutMs: 10_000,
  closeTimeoutMs: 2_000,
};
const FLASH_VER = 'FMLE/3.0 (compatible; shopcast)';
const OUT_CHUNK_SIZE = 4096;
/** What we ask the server to acknowledge at; publishers receive next to nothing, so this is only a courtesy. */
const WINDOW_ACK_SIZE = 2_500_000;
const HANDSHAKE_BYTES = 1536;
const RTMP_VERSION = 3;
/** A publisher receives control messages and short commands only. */
const INCOMING_LIMITS = { maxMessageBytes: 256 * 1024, maxChunkStreams: 8 };
const MAX_REASON_CHARS = 300;
const REDACTED = '[stream key]';
const CHUNK_STREAM = { command: 3, audio: 4, data: 5, video: 6, stream: 8 } as const;
const ON_METADATA = encodeAmf0('onMetaData');
const SET_DATA_FRAME = encodeAmf0('@setDataFrame');
const TAG_HEADER_BYTES = 11;
const PREVIOUS_SIZE_BYTES = 4;
/** RTMP's 24-bit message length. */
const MAX_MESSAGE_BYTES = 0xffffff;
/** User Control event types. */
const PING_REQUEST = 6;

/** Parses and checks a target; throws RtmpPushError('invalid') with a message that never quotes the URL or key. */
export function rtmpEndpoint(target: RtmpTarget): RtmpEndpoint {
  const invalid = (why: string): RtmpPushError => new RtmpPushError('invalid', why);
  if (target.streamKey === '') throw invalid('the stream key is empty');
  if (Buffer.byteLength(target.streamKey) > 0xffff) throw invalid('the stream key is too long');
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    throw invalid('the destination URL is not a URL');
  }
  if (url.protocol !== 'rtmp:' && url.protocol !== 'rtmps:') throw invalid('the destination URL must start with rtmp:// or rtmps://');
  if (url.username !== '' || url.password !== '') throw invalid('credentials in the destination URL are not supported');
  const secure = url.protocol === 'rtmps:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw invalid('the destination URL has no host');
  const segments = url.pathname.split('/').filter((segment) => segment !== '');
  // Sellers often paste the platform's full URL, key included: the key then goes only where it belongs.
  if (segments.length > 1 && safeDecode(segments.at(-1)!) === target.streamKey && url.search === '') segments.pop();
  if (segments.length === 0) throw invalid('the destination URL has no application path');
  const path = segments.join('/');
  const port = url.port === '' ? (secure ? 443 : 1935) : Number(url.port);
  if (port < 1) throw invalid('the destination URL has port 0');
  return {
    secure,
    host,
    port,
    app: safeDecode(path) + url.search,
    tcUrl: `${url.protocol}//${url.host}/${path}${url.search}`,
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `text` fit for a log line or the seller's screen: the key (as is or URL-encoded, any case) replaced, one short line. */
export function redactKey(text: string, streamKey: string): string {
  let out = text;
  for (const form of new Set([streamKey, encodeURIComponent(streamKey)])) {
    if (form !== '') out = out.replace(new RegExp(form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), REDACTED);
  }
  return out.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, MAX_REASON_CHARS);
}

type Phase = 'tcp' | 'tls' | 'handshake' | 'connect' | 'createStream' | 'publish' | 'live' | 'closing' | 'closed';
/** Commands whose answer the connect sequence waits for. */
type Step = 'connect' | 'createStream' | 'publish';

/** One publish session on a destination, live once `connect` resolved. */
export class RtmpPublisher {
  /** Resolves with why the session ended, whoever ended it; never rejects. */
  readonly closed: Promise<string>;
  readonly #endpoint: RtmpEndpoint;
  readonly #streamKey: string;
  readonly #opts: typeof DEFAULTS;
  readonly #log: Logger | undefined;
  readonly #socket: net.Socket;
  readonly #started: Promise<RtmpPublisher>;
  #phase: Phase = 'tcp';
  #resolveStarted: (publisher: RtmpPublisher) => void = () => undefined;
  #rejectStarted: (error: RtmpPushError) => void = () => undefined;
  #resolveClosed: (reason: string) => void = () => undefined;
  #connectTimer: NodeJS.Timeout;
  #drainTimer: NodeJS.Timeout | null = null;
  #closing: Promise<void> | null = null;
  #handshake: Buffer[] = [];
  #handshakeLength = 0;
  readonly #reader = new ChunkReader(INCOMING_LIMITS);
  readonly #steps = new Map<number, Step>();
  #nextTransaction = 1;
  #streamId = 0;
  #receivedBytes = 0;
  #ackWindow = 0;
  #ackedBytes = 0;
  /** Bytes handed to the socket; minus what it still holds, what went out. */
  #queuedBytes = 0;
  #sentAtEnd: number | null = null;
  #dropping = false;
  #droppedTags = 0;
  #lastDrained = 0;
  #lastProgressMs = 0;

  /** Connects, handshakes and publishes; resolves once the destination said NetStream.Publish.Start. */
  static connect(target: RtmpTarget, options: RtmpPublisherOptions = {}): Promise<RtmpPublisher> {
    let endpoint: RtmpEndpoint;
    let secureContext: tls.SecureContext | undefined;
    try {
      endpoint = rtmpEndpoint(target);
      // Made before any socket exists, so that options it cannot use reject rather than throw.
      secureContext = endpoint.secure ? tls.createSecureContext({ ca: options.ca }) : undefined;
    } catch (err) {
      if (err instanceof RtmpPushError) return Promise.reject(err);
      return Promise.reject(new RtmpPushError('invalid', `unusable TLS options: ${err instanceof Error ? err.message : String(err)}`));
    }
    return new RtmpPublisher(endpoint, target.streamKey, options, secureContext).#started;
  }

  private constructor(endpoint: RtmpEndpoint, streamKey: string, options: RtmpPublisherOptions, secureContext: tls.SecureContext | undefined) {
    this.#endpoint = endpoint;
    this.#streamKey = streamKey;
    this.#opts = {
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      maxBufferedBytes: options.maxBufferedBytes ?? DEFAULTS.maxBufferedBytes,
      stallTimeoutMs: options.stallTimeoutMs ?? DEFAULTS.stallTimeoutMs,
      closeTimeoutMs: options.closeTimeoutMs ?? DEFAULTS.closeTimeoutMs,
    };
    this.#log = options.log;
    this.#started = new Promise((resolve, reject) => {
      this.#resolveStarted = resolve;
      this.#rejectStarted = reject;
    });
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#connectTimer = setTimeout(() => this.#timedOut(), this.#opts.connectTimeoutMs);
    this.#log?.debug({ host: endpoint.host, port: endpoint.port, secure: endpoint.secure }, 'rtmp push connecting');

    const { host, port, secure } = endpoint;
    const raw = net.connect({ host, port });
    raw.setNoDelay(true);
    raw.once('connect', () => {
      if (this.#phase !== 'tcp') return;
      if (secure) this.#phase = 'tls';
      else this.#startHandshake();
    });
    let socket: net.Socket = raw;
    if (secure) {
      // SNI only for names (RFC 6066); the certificate is checked against `host` either way.
      const servername = net.isIP(host) === 0 ? host : undefined;
      const secured = tls.connect({ socket: raw, host, servername, secureContext });
      secured.once('secureConnect', () => this.#startHandshake());
      // The TCP socket's own failures (refused, reset) are told on it, not always on the TLS socket over it.
      raw.on('error', (err: Error) => this.#onSocketError(err));
      socket = secured;
    }
    this.#socket = socket;
    socket.on('data', (bytes: Buffer) => this.#onData(bytes));
    socket.on('error', (err: Error) => this.#onSocketError(err));
    socket.on('end', () => this.#onSocketEnd());
    socket.on('close', () => this.#onSocketEnd());
  }

  /** Bytes that left for the destination (handshake and commands included): what a bitrate figure counts. */
  get bytesSent(): number {
    return this.#sentAtEnd ?? this.#queuedBytes - this.#socket.writableLength;
  }

  /** Bytes handed over but not yet taken by the destination. */
  get bufferedBytes(): number {
    return this.#phase === 'closed' ? 0 : this.#socket.writableLength;
  }

  /** Tags dropped because the destination read too slowly. */
  get droppedTags(): number {
    return this.#droppedTags;
  }

  /**
   * Sends one FLV tag on the publish stream at `tag.timestampMs` (not the time in its bytes, so a caller may rebase).
   * Never throws, never waits: over `maxBufferedBytes` it drops video and audio until a keyframe finds room again;
   * metadata and sequence headers always go. Ignored once the session is over.
   */
  send(tag: FlvTag): void {
    if (this.#phase !== 'live' || tag.bytes.length < TAG_HEADER_BYTES + PREVIOUS_SIZE_BYTES) return;
    const chunkStreamId = tag.type === TAG_AUDIO ? CHUNK_STREAM.audio : tag.type === TAG_VIDEO ? CHUNK_STREAM.video : tag.type === TAG_SCRIPT ? CHUNK_STREAM.data : null;
    if (chunkStreamId === null) return;
    const essential = tag.kind === 'metadata' || tag.kind === 'video-header' || tag.kind === 'audio-header';
    if (!essential && this.#mustDrop(tag)) {
      this.#droppedTags++;
      return;
    }
    let payload = tag.bytes.subarray(TAG_HEADER_BYTES, tag.bytes.length - PREVIOUS_SIZE_BYTES);
    // Encoders send metadata as `@setDataFrame("onMetaData", ...)`, which is what servers keep and hand to players.
    if (tag.type === TAG_SCRIPT && payload.subarray(0, ON_METADATA.length).equals(ON_METADATA)) {
      payload = Buffer.concat([SET_DATA_FRAME, payload]);
    }
    if (payload.length > MAX_MESSAGE_BYTES) {
      this.#droppedTags++;
      return;
    }
    this.#writeMessage({ chunkStreamId, type: tag.type, streamId: this.#streamId, timestamp: tag.timestampMs, payload });
  }

  /** Over the limit, drops until a keyframe finds room: the destination loses whole GOPs, never a frame's references. */
  #mustDrop(tag: FlvTag): boolean {
    if (this.#socket.writableLength > this.#opts.maxBufferedBytes) this.#dropping = true;
    else if (this.#dropping && tag.kind === 'keyframe') this.#dropping = false;
    return this.#dropping;
  }

  /** Ends the publish politely (FCUnpublish, deleteStream, FIN), bounded by `closeTimeoutMs`; idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    if (this.#phase !== 'live') {
      await this.closed;
      return;
    }
    this.#phase = 'closing';
    this.#stopDrainWatch();
    this.#call('FCUnpublish', null, CHUNK_STREAM.command, 0, null, this.#streamKey);
    this.#call('deleteStream', null, CHUNK_STREAM.command, 0, null, this.#streamId);
    this.#socket.end();
    const timer = setTimeout(() => this.#end(null), this.#opts.closeTimeoutMs);
    await this.closed;
    clearTimeout(timer);
  }

  #startHandshake(): void {
    if (this.#phase !== 'tcp' && this.#phase !== 'tls') return;
    this.#phase = 'handshake';
    // Plain handshake: C1 = time 0, zero, random; no digest, which nginx-rtmp and the big platforms accept.
    const c0c1 = Buffer.alloc(1 + HANDSHAKE_BYTES);
    c0c1[0] = RTMP_VERSION;
    randomBytes(HANDSHAKE_BYTES - 8).copy(c0c1, 9);
    this.#write(c0c1);
  }

  #onData(bytes: Buffer): void {
    try {
      this.#receivedBytes += bytes.length;
      const rest = this.#phase === 'handshake' ? this.#readHandshake(bytes) : bytes;
      if (rest === null || rest.length === 0) return;
      for (const message of this.#reader.push(rest)) {
        if (this.#phase === 'closed') return;
        this.#onMessage(message);
      }
      this.#acknowledge();
    } catch (err) {
      // Every failure, a hostile server's or our own, ends this session and only it.
      const error = err instanceof RtmpPushError ? err : this.#error('protocol', `destination broke the RTMP protocol: ${err instanceof Error ? err.message : String(err)}`);
      this.#end(error);
    }
  }

  /** Collects S0, S1 and S2; answers with C2 and starts the connect. Returns what came after them, or null. */
  #readHandshake(bytes: Buffer): Buffer | null {
    this.#handshake.push(bytes);
    this.#handshakeLength += bytes.length;
    if (this.#handshakeLength < 1 + 2 * HANDSHAKE_BYTES) return null;
    const all = Buffer.concat(this.#handshake);
    this.#handshake = [];
    if (all[0] !== RTMP_VERSION) throw this.#error('protocol', `destination answered with RTMP version ${all[0]}`);
    this.#write(all.subarray(1, 1 + HANDSHAKE_BYTES)); // C2 echoes S1
    this.#phase = 'connect';
    this.#writeMessage(setChunkSizeMessage(OUT_CHUNK_SIZE));
    const { app, tcUrl } = this.#endpoint;
    this.#call('connect', 'connect', CHUNK_STREAM.command, 0, { app, type: 'nonprivate', flashVer: FLASH_VER, tcUrl });
    return all.subarray(1 + 2 * HANDSHAKE_BYTES);
  }

  #onMessage(message: RtmpMessage): void {
    const { payload } = message;
    switch (message.type) {
      case MESSAGE.windowAckSize:
        if (payload.length >= 4) this.#ackWindow = payload.readUInt32BE(0);
        return;
      case MESSAGE.userControl:
        if (payload.length >= 6 && payload.readUInt16BE(0) === PING_REQUEST) this.#writeMessage(pingResponseMessage(payload.subarray(2, 6)));
        return;
      case MESSAGE.command:
        this.#onCommand(decodeAmf0(payload, 8));
        return;
      case MESSAGE.amf3Command:
        // An AMF3 command message is AMF0 after a format byte.
        this.#onCommand(decodeAmf0(payload.subarray(1), 8));
        return;
      default:
        return; // acknowledgements, peer bandwidth, data and media from a server mean nothing to a publisher
    }
  }

  #onCommand(values: Amf0Value[]): void {
    const [name, transaction] = values;
    const info = values.slice(2).find(isObject) ?? {};
    const step = typeof transaction === 'number' ? this.#steps.get(transaction) : undefined;
    if (name === '_result' && step !== undefined) {
      this.#steps.delete(transaction as number);
      if (step === 'connect' && this.#phase === 'connect') this.#connected();
      else if (step === 'createStream' && this.#phase === 'createStream') this.#streamCreated(values[3]);
    } else if (name === '_error' && step !== undefined) {
      this.#end(this.#error('refused', `destination refused the ${step}: ${statusText(info)}`));
    } else if (name === 'onStatus') {
      if (info.level === 'error') {
        const what = this.#phase === 'live' ? 'ended the publish' : this.#phase === 'connect' ? 'refused the connect' : 'refused the publish';
        this.#end(this.#error('refused', `destination ${what}: ${statusText(info)}`));
      } else if (info.code === 'NetStream.Publish.Start' && this.#phase === 'publish') this.#live();
    }
  }

  #connected(): void {
    this.#phase = 'createStream';
    this.#writeMessage(windowAckSizeMessage(WINDOW_ACK_SIZE));
    this.#call('releaseStream', null, CHUNK_STREAM.command, 0, null, this.#streamKey);
    this.#call('FCPublish', null, CHUNK_STREAM.command, 0, null, this.#streamKey);
    this.#call('createStream', 'createStream', CHUNK_STREAM.command, 0, null);
  }

  #streamCreated(streamId: Amf0Value): void {
    if (typeof streamId !== 'number' || !Number.isInteger(streamId) || streamId < 1 || streamId > 0xffffffff) {
      throw this.#error('protocol', 'destination answered createStream without a stream id');
    }
    this.#streamId = streamId;
    this.#phase = 'publish';
    this.#call('publish', 'publish', CHUNK_STREAM.stream, streamId, null, this.#streamKey, 'live');
  }

  #live(): void {
    this.#phase = 'live';
    clearTimeout(this.#connectTimer);
    this.#lastProgressMs = Date.now();
    const everyMs = Math.max(20, Math.min(1000, this.#opts.stallTimeoutMs / 4));
    this.#drainTimer = setInterval(() => this.#watchDrain(), everyMs);
    this.#drainTimer.unref();
    this.#log?.debug({ host: this.#endpoint.host }, 'rtmp push live');
    this.#resolveStarted(this);
  }

  /** Something must leave the send buffer now and then, or the destination has stopped reading. */
  #watchDrain(): void {
    const pending = this.#socket.writableLength;
    const drained = this.#queuedBytes - pending;
    const now = Date.now();
    if (pending === 0 || drained > this.#lastDrained) {
      this.#lastDrained = drained;
      this.#lastProgressMs = now;
    } else if (now - this.#lastProgressMs >= this.#opts.stallTimeoutMs) {
      this.#end(this.#error('stalled', 'destination stalled'));
    }
  }

  #stopDrainWatch(): void {
    if (this.#drainTimer) clearInterval(this.#drainTimer);
    this.#drainTimer = null;
  }

  #acknowledge(): void {
    if (this.#ackWindow === 0 || this.#receivedBytes - this.#ackedBytes < this.#ackWindow) return;
    this.#ackedBytes = this.#receivedBytes;
    this.#writeMessage(acknowledgementMessage(this.#receivedBytes));
  }

  #timedOut(): void {
    const waitingFor: Record<string, string> = { tcp: 'the TCP connection', tls: 'TLS', handshake: 'the RTMP handshake' };
    const what = waitingFor[this.#phase] ?? `the answer to ${this.#phase}`;
    this.#end(this.#error('timeout', `${this.#where()} did not answer within ${this.#opts.connectTimeoutMs / 1000} s (waiting for ${what})`));
  }

  #onSocketError(err: Error): void {
    const code = (err as NodeJS.ErrnoException).code;
    if (this.#phase === 'tcp') this.#end(this.#error('unreachable', `cannot reach ${this.#where()} (${code ?? err.message})`));
    else if (this.#phase === 'tls') this.#end(this.#error('tls', `TLS with ${this.#where()} failed: ${err.message}`));
    else this.#end(this.#error('closed', `connection to ${this.#where()} lost (${code ?? err.message})`));
  }

  /** The destination hung up (FIN or close): a refusal if it did so in answer to our connect or publish. */
  #onSocketEnd(): void {
    const phase = this.#phase;
    if (phase === 'closed') return;
    if (phase === 'closing' || phase === 'live') this.#end(this.#error('closed', 'destination closed the connection'));
    else if (phase === 'connect') this.#end(this.#error('refused', 'destination hung up on connect (unknown application?)'));
    else if (phase === 'createStream' || phase === 'publish') this.#end(this.#error('refused', 'destination hung up on publish (stream key refused?)'));
    else if (phase === 'tcp') this.#end(this.#error('unreachable', `cannot reach ${this.#where()}`));
    else this.#end(this.#error(phase === 'tls' ? 'tls' : 'closed', `destination closed the connection during the ${phase === 'tls' ? 'TLS' : 'RTMP'} handshake`));
  }

  /** Ends the session once: `null` for our own close. Rejects a pending connect, settles `closed`, frees the socket. */
  #end(error: RtmpPushError | null): void {
    if (this.#phase === 'closed') return;
    const ours = this.#phase === 'closing';
    const wasLive = ours || this.#phase === 'live';
    this.#phase = 'closed';
    clearTimeout(this.#connectTimer);
    this.#stopDrainWatch();
    this.#sentAtEnd = this.#queuedBytes - this.#socket.writableLength;
    this.#socket.destroy();
    const reason = ours || error === null ? 'push closed' : error.message;
    this.#log?.debug({ host: this.#endpoint.host, reason, bytesSent: this.#sentAtEnd, droppedTags: this.#droppedTags }, 'rtmp push ended');
    if (!wasLive) this.#rejectStarted(error ?? this.#error('closed', reason));
    this.#resolveClosed(reason);
  }

  #call(name: string, step: Step | null, chunkStreamId: number, streamId: number, ...args: Amf0Value[]): void {
    const transaction = this.#nextTransaction++;
    if (step !== null) this.#steps.set(transaction, step);
    this.#writeMessage({ chunkStreamId, type: MESSAGE.command, streamId, timestamp: 0, payload: encodeAmf0(name, transaction, ...args) });
  }

  #writeMessage(message: RtmpMessage): void {
    this.#write(encodeChunks(message, OUT_CHUNK_SIZE));
  }

  #write(bytes: Buffer): void {
    if (!this.#socket.writable) return;
    this.#queuedBytes += bytes.length;
    this.#socket.write(bytes);
  }

  #where(): string {
    const { host, port } = this.#endpoint;
    return `${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  #error(kind: RtmpPushErrorKind, text: string): RtmpPushError {
    return new RtmpPushError(kind, redactKey(text, this.#streamKey));
  }
}

function isObject(value: Amf0Value): value is Amf0Object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A status as the destination gave it: its code and its own description, where it gave them. */
function statusText(info: Amf0Object): string {
  const code = typeof info.code === 'string' ? info.code : '';
  const description = typeof info.description === 'string' ? info.description : '';
  if (code && description) return `${code} (${description})`;
  return code || description || 'no reason given';
}
