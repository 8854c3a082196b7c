// FLV tags as bytes, for unit tests: what node-media-server hands the ingest and what a restream push sends.

/** One FLV tag: 11-byte header (type, body size, timestamp with its extension byte), the body, previous-tag-size. */
export function flvTagBytes(type: number, timestampMs: number, body: Buffer): Buffer {
  const bytes = Buffer.alloc(11 + body.length + 4);
  bytes[0] = type;
  bytes.writeUIntBE(body.length, 1, 3);
  bytes.writeUIntBE(timestampMs & 0xffffff, 4, 3);
  bytes[7] = (timestampMs >>> 24) & 0xff;
  body.copy(bytes, 11);
  bytes.writeUInt32BE(11 + body.length, 11 + body.length);
  return bytes;
}
