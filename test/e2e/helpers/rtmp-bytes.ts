// RTMP bytes written by hand, independent of the parser under test: handshakes, chunks, AMF0 commands. Well-formed
// by default, so tests (and the fuzzer) can break exactly the part they mean to.
import { randomBytes } from 'node:crypto';

export type Amf0Value = number | string | boolean | null | undefined | { [key: string]: Amf0Value };

export function amf0(value: Amf0Value): Buffer {
  if (value === null) return Buffer.from([0x05]);
  if (value === undefined) return Buffer.from([0x06]);
  if (typeof value === 'number') {
    const out = Buffer.alloc(9);
    out[0] = 0x00;
    out.writeDoubleBE(value, 1);
    return out;
  }
  if (typeof value === 'boolean') return Buffer.from([0x01, value ? 1 : 0]);
  if (typeof value === 'string') {
    const text = Buffer.from(value, 'utf8');
    const head = Buffer.alloc(3);
    head[0] = 0x02;
    head.writeUInt16BE(text.length, 1);
    return Buffer.concat([head, text]);
  }
  const parts: Buffer[] = [Buffer.from([0x03])];
  for (const [key, inner] of Object.entries(value)) {
    const name = Buffer.from(key, 'utf8');
    const length = Buffer.alloc(2);
    length.writeUInt16BE(name.length);
    parts.push(length, name, amf0(inner));
  }
  parts.push(Buffer.from([0x00, 0x00, 0x09]));
  return Buffer.concat(parts);
}

export const MESSAGE = {
  setChunkSize: 1,
  windowAckSize: 5,
  audio: 8,
  video: 9,
  data: 18,
  command: 20,
} as const;

export interface ChunkOptions {
  /** Chunk stream id (2 protocol, 3 commands, 4+ media). */
  cid: number;
  type: number;
  payload: Buffer;
  streamId?: number;
  timestamp?: number;
  /** The chunk size the receiver expects (RTMP starts at 128). */
  chunkSize?: number;
  /** Declared message length, if it should lie about the payload. */
  declaredLength?: number;
}

/** A message as chunks: one type-0 chunk, then type-3 continuations. */
export function chunks(opts: ChunkOptions): Buffer {
  const { cid, type, payload, streamId = 0, timestamp = 0, chunkSize = 128 } = opts;
  const basic = (fmt: number): Buffer => {
    if (cid < 64) return Buffer.from([(fmt << 6) | cid]);
    if (cid < 320) return Buffer.from([fmt << 6, cid - 64]);
    return Buffer.from([(fmt << 6) | 1, (cid - 64) & 0xff, (cid - 64) >> 8]);
  };
  const header = Buffer.alloc(11);
  header.writeUIntBE(Math.min(timestamp, 0xffffff), 0, 3);
  header.writeUIntBE(opts.declaredLength ?? payload.length, 3, 3);
  header[6] = type;
  header.writeUInt32LE(streamId, 7);
  const parts: Buffer[] = [basic(0), header];
  for (let offset = 0; offset < payload.length; offset += chunkSize) {
    if (offset > 0) parts.push(basic(3));
    parts.push(payload.subarray(offset, offset + chunkSize));
  }
  return Buffer.concat(parts);
}

export function command(name: string, transId: number, ...args: Amf0Value[]): Buffer {
  return Buffer.concat([amf0(name), amf0(transId), ...args.map(amf0)]);
}

/** C0 (version 3) and C1 (time, zero, random). */
export function handshakeC0C1(version = 3): Buffer {
  return Buffer.concat([Buffer.from([version]), Buffer.alloc(8), randomBytes(1528)]);
}

export const HANDSHAKE_C2 = Buffer.alloc(1536);
/** S0 + S1 + S2 from the server. */
export const HANDSHAKE_REPLY_BYTES = 1 + 1536 * 2;

export function setChunkSize(size: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(size);
  return chunks({ cid: 2, type: MESSAGE.setChunkSize, payload });
}

export function connectCommand(app: string, extra: Record<string, Amf0Value> = {}): Buffer {
  const payload = command('connect', 1, { app, type: 'nonprivate', flashVer: 'FMLE/3.0', tcUrl: `rtmp://localhost/${app}`, ...extra });
  return chunks({ cid: 3, type: MESSAGE.command, payload });
}

export function createStreamCommand(): Buffer {
  return chunks({ cid: 3, type: MESSAGE.command, payload: command('createStream', 2, null) });
}

export function publishCommand(key: string, streamId = 1): Buffer {
  return chunks({ cid: 3, type: MESSAGE.command, payload: command('publish', 3, null, key, 'live'), streamId });
}

/** A video message of an AVC "NALU" packet whose bytes are whatever the caller gives. */
export function videoMessage(body: Buffer, timestamp: number, keyframe = false, streamId = 1): Buffer {
  const payload = Buffer.concat([Buffer.from([keyframe ? 0x17 : 0x27, 0x01, 0, 0, 0]), body]);
  return chunks({ cid: 6, type: MESSAGE.video, payload, timestamp, streamId });
}
