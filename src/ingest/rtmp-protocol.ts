// The RTMP protocol of one connection: node-media-server's parser (handshake, chunks, AMF), bounded and validated by
// shopcast before it allocates or trusts anything, and answering a publish only once shopcast has decided on it.
import type AVPacket from 'node-media-server/src/core/avpacket.js';
import nmsLogger from 'node-media-server/src/core/logger.js';
import { decodeAmf0Data, type Amf0Message } from 'node-media-server/src/protocol/amf.js';
import Flv from 'node-media-server/src/protocol/flv.js';
import Rtmp from 'node-media-server/src/protocol/rtmp.js';
import type { AnnouncedMetadata } from './tap.js';

// The library logs protocol details to the console, stream paths (with their keys) among them: shopcast logs what
// matters itself, so the library's lines are dropped.
nmsLogger.log = () => undefined;

/** Malformed or out-of-bounds input: the connection is cut without an answer. */
export class RtmpProtocolError extends Error {}

/** A request shopcast said no to: the client has been sent an error status; the connection is cut next. */
export class RtmpRefusal extends Error {
  constructor(
    readonly command: 'connect' | 'publish' | 'play',
    reason: string,
  ) {
    super(reason);
  }
}

/** What one connection's parser may hold. Before a publish is accepted nobody is known, so very little. */
export interface RtmpLimits {
  /** Largest message a client may declare (the protocol allows 16 MiB). */
  maxMessageBytes: number;
  /** Chunk stream ids in use at once (encoders use about five). */
  maxChunkStreams: number;
  /** Sum of the message buffers of every chunk stream. */
  maxBufferedBytes: number;
}

export const LIMITS_BEFORE_PUBLISH: RtmpLimits = { maxMessageBytes: 64 * 1024, maxChunkStreams: 8, maxBufferedBytes: 256 * 1024 };
/** A 4K keyframe at a high bitrate is a few MiB. */
export const LIMITS_WHILE_PUBLISHING: RtmpLimits = {
  maxMessageBytes: 8 * 1024 * 1024,
  maxChunkStreams: 16,
  maxBufferedBytes: 32 * 1024 * 1024,
};

/** Status codes an encoder understands as "no": FFmpeg and OBS's librtmp both fail on an `error` level status. */
export type PublishRefusalCode = 'NetStream.Publish.Denied' | 'NetStream.Publish.BadName';

export type PublishAnswer = { ok: true } | { ok: false; code: PublishRefusalCode; reason: string };

export interface RtmpProtocolHandlers {
  /** Bytes for the client. */
  output(bytes: Buffer): void;
  /** `connect` named an application: null accepts it, a string is the reason it is refused. */
  connect(app: string): string | null;
  /** `publish` with this stream key (a secret): decided before the client is told anything. */
  publish(key: string): PublishAnswer;
  /** One FLV tag of the accepted publish, copied out of the parser's buffers. */
  media(tag: Buffer): void;
  /** The publisher's onMetaData, as far as it is readable. */
  metadata(announced: AnnouncedMetadata): void;
}

const RTMP_VERSION = 3;
const HANDSHAKE_UNINIT = 0;
const TYPE_SET_CHUNK_SIZE = 1;
const TYPE_ACKNOWLEDGEMENT = 3;
const TYPE_WINDOW_ACK_SIZE = 5;
const TYPE_SET_PEER_BANDWIDTH = 6;
const CONTROL_PAYLOAD_BYTES: Record<number, number> = {
  [TYPE_SET_CHUNK_SIZE]: 4,
  [TYPE_ACKNOWLEDGEMENT]: 4,
  [TYPE_WINDOW_ACK_SIZE]: 4,
  [TYPE_SET_PEER_BANDWIDTH]: 5,
};
const MAX_CHUNK_SIZE = 0x7fffffff;
const SCRIPT_DATA = 5;
/** The parser allocates this much beyond a message's length. */
const ALLOC_SLACK = 1024;
const STREAM_KEY = /^[A-Za-z0-9_-]{1,256}$/;
const APP_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export class RtmpProtocol extends Rtmp {
  readonly #handlers: RtmpProtocolHandlers;
  #limits = LIMITS_BEFORE_PUBLISH;
  #connected = false;
  #publishing = false;
  #receivedBytes = 0;
  #ackedBytes = 0;

  constructor(handlers: RtmpProtocolHandlers) {
    super();
    // The library's constructor gives every connection an FLV file parser with a 1 MiB buffer that RTMP never uses:
    // let it go at once, or each anonymous connection would hold a megabyte.
    this.flv = null;
    this.#handlers = handlers;
    this.onOutputCallback = (bytes) => handlers.output(bytes);
    this.onPacketCallback = (packet) => this.#packet(packet);
  }

  get publishing(): boolean {
    return this.#publishing;
  }

  /** Feeds bytes from the client; throws RtmpProtocolError or RtmpRefusal, after which the connection must end. */
  push(bytes: Buffer): void {
    if (this.handshakeState === HANDSHAKE_UNINIT && bytes.length > 0 && bytes[0] !== RTMP_VERSION) {
      throw new RtmpProtocolError(`unsupported RTMP version ${bytes[0]} (only plain RTMP 3; RTMPE is not offered)`);
    }
    const error = this.parserData(bytes);
    if (error !== null) throw new RtmpProtocolError(error);
    this.#acknowledge(bytes.length);
  }

  override packetParse(): void {
    super.packetParse();
    if (this.inPackets.size > this.#limits.maxChunkStreams) {
      throw new RtmpProtocolError(`more than ${this.#limits.maxChunkStreams} chunk streams`);
    }
    const { length } = this.parserPacket.header;
    if (length > this.#limits.maxMessageBytes) {
      throw new RtmpProtocolError(`message of ${length} bytes declared (at most ${this.#limits.maxMessageBytes} now)`);
    }
  }

  override packetAlloc(): void {
    const packet = this.parserPacket;
    if (packet.capacity < packet.header.length) {
      let buffered = packet.header.length + ALLOC_SLACK - packet.capacity;
      for (const other of this.inPackets.values()) buffered += other.capacity;
      if (buffered > this.#limits.maxBufferedBytes) {
        throw new RtmpProtocolError(`messages in flight would take ${buffered} bytes (at most ${this.#limits.maxBufferedBytes})`);
      }
    }
    super.packetAlloc();
  }

  override controlHandler(): void {
    const { type, length } = this.parserPacket.header;
    const needed = CONTROL_PAYLOAD_BYTES[type] ?? 0;
    if (length < needed) throw new RtmpProtocolError(`control message ${type} with ${length} of ${needed} bytes`);
    if (type === TYPE_SET_CHUNK_SIZE) {
      const size = this.parserPacket.payload.readUInt32BE(0);
      if (size < 1 || size > MAX_CHUNK_SIZE) throw new RtmpProtocolError(`chunk size ${size} out of range`);
    }
    super.controlHandler();
  }

  override dataHandler(): void {
    // Media before an accepted publish is nobody's: it is neither buffered nor passed on.
    if (this.#publishing) super.dataHandler();
  }

  override onConnect(message: Amf0Message): void {
    if (this.#connected) throw new RtmpProtocolError('connect sent twice');
    const transId = transactionId(message);
    const command = isRecord(message.cmdObj) ? message.cmdObj : undefined;
    const app = typeof command?.app === 'string' ? command.app.replace(/\/+$/, '') : undefined;
    if (command === undefined || app === undefined || !APP_NAME.test(app)) {
      throw new RtmpProtocolError('connect without a valid application name');
    }
    const refusal = this.#handlers.connect(app);
    if (refusal !== null) {
      // The library writes every message in chunks of its own size, which the client only knows once told.
      this.setChunkSize(this.outChunkSize);
      this.sendInvokeMessage(0, {
        cmd: '_error',
        transId,
        cmdObj: null,
        info: { level: 'error', code: 'NetConnection.Connect.Rejected', description: refusal },
      });
      throw new RtmpRefusal('connect', refusal);
    }
    this.#connected = true;
    // The library reads tcUrl as a URL; only the host comes from it, so a missing or odd one is replaced.
    const tcUrl = typeof command.tcUrl === 'string' && URL.canParse(command.tcUrl) ? command.tcUrl : `rtmp://localhost/${app}`;
    const encoding = command.objectEncoding === 3 ? 3 : 0;
    super.onConnect({ ...message, transId, cmdObj: { ...command, app, tcUrl, objectEncoding: encoding } });
  }

  override onCreateStream(message: Amf0Message): void {
    if (!this.#connected) throw new RtmpProtocolError('createStream before connect');
    super.onCreateStream({ ...message, transId: transactionId(message) });
  }

  override onPublish(message: Amf0Message): void {
    if (!this.#connected) throw new RtmpProtocolError('publish before connect');
    const streamId = this.parserPacket.header.stream_id;
    if (this.#publishing) this.#refusePublish(streamId, 'NetStream.Publish.BadName', 'this connection is already publishing');
    const name = typeof message.streamName === 'string' ? message.streamName : '';
    const key = name.split('?')[0] ?? '';
    if (!STREAM_KEY.test(key)) this.#refusePublish(streamId, 'NetStream.Publish.Denied', 'malformed stream key');
    const answer = this.#handlers.publish(key);
    if (!answer.ok) this.#refusePublish(streamId, answer.code, answer.reason);
    this.streamId = streamId;
    this.#publishing = true;
    this.#limits = LIMITS_WHILE_PUBLISHING;
    // The library's own answer names the stream path, which holds the key: this one does not.
    this.sendStatusMessage(streamId, 'status', 'NetStream.Publish.Start', 'Publishing started.');
  }

  override onPlay(): void {
    const streamId = this.parserPacket.header.stream_id;
    const reason = 'playback over RTMP is not offered: shows are watched over HTTP';
    this.sendStatusMessage(streamId, 'error', 'NetStream.Play.Failed', reason);
    throw new RtmpRefusal('play', reason);
  }

  /** Tells an accepted publisher, in an error status, why shopcast is about to end its publish. */
  endPublish(reason: string): void {
    if (this.#publishing) this.sendStatusMessage(this.streamId ?? 0, 'error', 'NetStream.Publish.Denied', reason);
  }

  #refusePublish(streamId: number, code: PublishRefusalCode, reason: string): never {
    this.sendStatusMessage(streamId, 'error', code, reason);
    throw new RtmpRefusal('publish', reason);
  }

  #packet(packet: AVPacket): void {
    if (packet.flags === SCRIPT_DATA) this.#metadata(packet);
    this.#handlers.media(Flv.createMessage(packet));
  }

  #metadata(packet: AVPacket): void {
    let decoded: Amf0Message;
    try {
      decoded = decodeAmf0Data(packet.data.subarray(0, packet.size));
    } catch {
      return; // unreadable metadata only means the source is described from its media instead
    }
    const data = decoded.dataObj;
    if (!isRecord(data)) return;
    this.#handlers.metadata({
      width: finite(data.width),
      height: finite(data.height),
      fps: finite(data.framerate),
      videoKbps: finite(data.videodatarate),
    });
  }

  /** Acknowledges received bytes once per window the client asked for (the library never does). */
  #acknowledge(bytes: number): void {
    this.#receivedBytes += bytes;
    const window = this.ackSize ?? 0;
    if (window > 0 && this.#receivedBytes - this.#ackedBytes >= window) {
      this.#ackedBytes = this.#receivedBytes;
      this.sendACK(this.#receivedBytes % 2 ** 32);
    }
  }
}

function transactionId(message: Amf0Message): number {
  const id = message.transId;
  if (typeof id !== 'number' || !Number.isFinite(id)) throw new RtmpProtocolError(`${String(message.cmd)} without a transaction id`);
  return id;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function finite(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}
