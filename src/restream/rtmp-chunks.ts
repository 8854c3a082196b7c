// RTMP's chunk layer as a publisher needs it: messages out as chunks, a server's chunks back into messages, bounded so a
// hostile destination cannot make us allocate; pure.

export const MESSAGE = {
  setChunkSize: 1,
  abort: 2,
  acknowledgement: 3,
  userControl: 4,
  windowAckSize: 5,
  setPeerBandwidth: 6,
  audio: 8,
  video: 9,
  amf3Command: 17,
  data: 18,
  command: 20,
} as const;

export interface RtmpMessage {
  chunkStreamId: number;
  type: number;
  /** Message stream id (0 for the connection, the created stream's id for a publish). */
  streamId: number;
  /** Milliseconds, modulo 2^32 as RTMP counts them. */
  timestamp: number;
  payload: Buffer;
}

/** Timestamps from here on go in the 4-byte extended field. */
const EXTENDED = 0xffffff;
/** Chunk sizes are 31-bit. */
const MAX_CHUNK_SIZE = 0x7fffffff;

function basicHeader(fmt: number, chunkStreamId: number): Buffer {
  if (chunkStreamId < 2 || chunkStreamId > 65599) throw new RangeError(`chunk stream id ${chunkStreamId} out of range`);
  if (chunkStreamId < 64) return Buffer.from([(fmt << 6) | chunkStreamId]);
  const id = chunkStreamId - 64;
  if (id < 256) return Buffer.from([fmt << 6, id]);
  return Buffer.from([(fmt << 6) | 1, id & 0xff, id >> 8]);
}

/**
 * One message as a type-0 chunk and type-3 continuations of at most `chunkSize` payload bytes each. An extended
 * timestamp is repeated in every continuation, as the spec, FFmpeg and nginx-rtmp have it.
 */
export function encodeChunks(message: RtmpMessage, chunkSize: number): Buffer {
  const timestamp = message.timestamp >>> 0;
  const extended = timestamp >= EXTENDED;
  const first = basicHeader(0, message.chunkStreamId);
  const next = basicHeader(3, message.chunkStreamId);
  const extra = extended ? 4 : 0;
  const { payload } = message;
  const count = Math.max(1, Math.ceil(payload.length / chunkSize));
  const out = Buffer.allocUnsafe(first.length + 11 + extra + payload.length + (count - 1) * (next.length + extra));
  let at = first.copy(out, 0);
  out.writeUIntBE(extended ? EXTENDED : timestamp, at, 3);
  out.writeUIntBE(payload.length, at + 3, 3);
  out[at + 6] = message.type;
  out.writeUInt32LE(message.streamId, at + 7);
  at += 11;
  for (let offset = 0; offset < payload.length || offset === 0; offset += chunkSize) {
    if (offset > 0) at += next.copy(out, at);
    if (extended) at = out.writeUInt32BE(timestamp, at);
    at += payload.copy(out, at, offset, Math.min(offset + chunkSize, payload.length));
    if (payload.length === 0) break;
  }
  return out;
}

export function setChunkSizeMessage(size: number): RtmpMessage {
  return controlMessage(MESSAGE.setChunkSize, uint32(size));
}

export function windowAckSizeMessage(size: number): RtmpMessage {
  return controlMessage(MESSAGE.windowAckSize, uint32(size));
}

export function acknowledgementMessage(receivedBytes: number): RtmpMessage {
  return controlMessage(MESSAGE.acknowledgement, uint32(receivedBytes >>> 0));
}

/** User Control event 7 (Ping Response), echoing the request's timestamp. */
export function pingResponseMessage(timestamp: Buffer): RtmpMessage {
  return controlMessage(MESSAGE.userControl, Buffer.concat([Buffer.from([0x00, 0x07]), timestamp]));
}

function controlMessage(type: number, payload: Buffer): RtmpMessage {
  return { chunkStreamId: 2, type, streamId: 0, timestamp: 0, payload };
}

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}

/** The server broke the chunk protocol or a bound; the connection cannot go on. */
export class RtmpChunkError extends Error {}

export interface ChunkReaderLimits {
  /** Largest message a server may declare; a publisher only receives control messages and short commands. */
  maxMessageBytes: number;
  /** Chunk stream ids the server may use (servers use two or three). */
  maxChunkStreams: number;
}

interface ChunkStream {
  type: number;
  length: number;
  streamId: number;
  timestamp: number;
  delta: number;
  extended: boolean;
  parts: Buffer[];
  received: number;
}

/**
 * Reassembles a server's messages. Set Chunk Size and Abort belong to the chunk layer and are applied here; every other
 * message is returned. Holds at most one incomplete chunk plus, per chunk stream, one message under the bound.
 */
export class ChunkReader {
  readonly #limits: ChunkReaderLimits;
  readonly #streams = new Map<number, ChunkStream>();
  #chunkSize = 128;
  #pending = Buffer.alloc(0);

  constructor(limits: ChunkReaderLimits) {
    this.#limits = limits;
  }

  /** The messages completed by `bytes`; throws RtmpChunkError, after which the reader must not be used. */
  push(bytes: Buffer): RtmpMessage[] {
    const input = this.#pending.length > 0 ? Buffer.concat([this.#pending, bytes]) : bytes;
    const messages: RtmpMessage[] = [];
    let offset = 0;
    for (;;) {
      const used = this.#chunk(input, offset, messages);
      if (used === 0) break;
      offset += used;
    }
    // A copy, so a small remainder does not keep a large socket read alive.
    this.#pending = Buffer.from(input.subarray(offset));
    return messages;
  }

  /** Reads one chunk at `at`: the bytes it took, or 0 if it is not all there yet (nothing changes then). */
  #chunk(input: Buffer, at: number, messages: RtmpMessage[]): number {
    if (input.length <= at) return 0;
    const fmt = input[at]! >> 6;
    let chunkStreamId = input[at]! & 0x3f;
    let pos = at + 1;
    if (chunkStreamId < 2) {
      const extraBytes = chunkStreamId === 0 ? 1 : 2;
      if (input.length < pos + extraBytes) return 0;
      chunkStreamId = 64 + input[pos]! + (extraBytes === 2 ? input[pos + 1]! * 256 : 0);
      pos += extraBytes;
    }
    const headerBytes = [11, 7, 3, 0][fmt]!;
    if (input.length < pos + headerBytes) return 0;
    const known = this.#streams.get(chunkStreamId);
    if (!known && fmt !== 0) throw new RtmpChunkError(`chunk stream ${chunkStreamId} continues a message it never started`);
    if (!known && this.#streams.size >= this.#limits.maxChunkStreams) throw new RtmpChunkError('too many chunk streams');
    const inMessage = known !== undefined && known.received > 0;
    if (inMessage && fmt !== 3) throw new RtmpChunkError(`new message header on chunk stream ${chunkStreamId} mid-message`);

    const time = headerBytes > 0 ? input.readUIntBE(pos, 3) : 0;
    const length = headerBytes >= 7 ? input.readUIntBE(pos + 3, 3) : known!.length;
    const type = headerBytes >= 7 ? input[pos + 6]! : known!.type;
    const streamId = headerBytes === 11 ? input.readUInt32LE(pos + 7) : known!.streamId;
    pos += headerBytes;
    const extended = fmt === 3 ? known!.extended : time === EXTENDED;
    let fullTime = time;
    if (extended) {
      if (input.length < pos + 4) return 0;
      fullTime = input.readUInt32BE(pos);
      pos += 4;
    }
    if (length > this.#limits.maxMessageBytes) throw new RtmpChunkError(`message of ${length} bytes exceeds ${this.#limits.maxMessageBytes}`);
    const received = inMessage ? known.received : 0;
    const take = Math.min(this.#chunkSize, length - received);
    if (input.length < pos + take) return 0;

    const stream: ChunkStream = known ?? { type, length, streamId, timestamp: 0, delta: 0, extended, parts: [], received: 0 };
    this.#streams.set(chunkStreamId, stream);
    stream.type = type;
    stream.length = length;
    stream.streamId = streamId;
    stream.extended = extended;
    if (!inMessage) {
      if (fmt === 0) {
        stream.timestamp = fullTime;
        stream.delta = 0;
      } else {
        if (fmt !== 3) stream.delta = fullTime;
        stream.timestamp = (stream.timestamp + stream.delta) >>> 0;
      }
    }
    // Copied: a view would keep each socket read alive, one per chunk, until the message completes.
    stream.parts.push(Buffer.from(input.subarray(pos, pos + take)));
    stream.received = received + take;
    pos += take;
    if (stream.received === length) {
      const payload = Buffer.concat(stream.parts);
      stream.parts = [];
      stream.received = 0;
      this.#complete({ chunkStreamId, type, streamId, timestamp: stream.timestamp, payload }, messages);
    }
    return pos - at;
  }

  #complete(message: RtmpMessage, messages: RtmpMessage[]): void {
    if (message.type === MESSAGE.setChunkSize) {
      if (message.payload.length < 4) throw new RtmpChunkError('Set Chunk Size without a size');
      const size = message.payload.readUInt32BE(0) & MAX_CHUNK_SIZE;
      if (size === 0) throw new RtmpChunkError('Set Chunk Size of 0');
      this.#chunkSize = size;
    } else if (message.type === MESSAGE.abort) {
      if (message.payload.length < 4) throw new RtmpChunkError('Abort without a chunk stream');
      const stream = this.#streams.get(message.payload.readUInt32BE(0));
      if (stream) {
        stream.parts = [];
        stream.received = 0;
      }
    } else messages.push(message);
  }
}
