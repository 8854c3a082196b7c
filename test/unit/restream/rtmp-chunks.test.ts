import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChunkReader, encodeChunks, MESSAGE, RtmpChunkError, setChunkSizeMessage, type RtmpMessage } from '../../../src/restream/rtmp-chunks.js';
import { chunks as referenceChunks, setChunkSize } from '../../e2e/helpers/rtmp-bytes.js';
import { createRng } from '../../reliability/helpers/fuzz.js';

const LIMITS = { maxMessageBytes: 64 * 1024, maxChunkStreams: 8 };

function message(overrides: Partial<RtmpMessage> = {}): RtmpMessage {
  return { chunkStreamId: 6, type: MESSAGE.video, streamId: 1, timestamp: 1234, payload: Buffer.alloc(300, 7), ...overrides };
}

test('a message becomes a type-0 chunk and type-3 continuations of the chunk size, as an independent writer has it', () => {
  const msg = message();
  const out = encodeChunks(msg, 128);
  assert.ok(out.equals(referenceChunks({ cid: 6, type: MESSAGE.video, payload: msg.payload, streamId: 1, timestamp: 1234, chunkSize: 128 })));
  assert.equal(out.length, 12 + 300 + 2);
  assert.equal(out[12 + 128], 0xc6, 'fmt 3 on chunk stream 6');
  assert.equal(encodeChunks(msg, 4096).length, 12 + 300, 'one chunk when it fits');
  assert.equal(encodeChunks(message({ payload: Buffer.alloc(0) }), 128).length, 12);
});

test('timestamps from 0xFFFFFF on go in the extended field, repeated in every continuation', () => {
  const out = encodeChunks(message({ timestamp: 0x01234567, payload: Buffer.alloc(200) }), 128);
  assert.equal(out.readUIntBE(1, 3), 0xffffff);
  assert.equal(out.readUInt32BE(12), 0x01234567);
  assert.equal(out[16 + 128], 0xc6);
  assert.equal(out.readUInt32BE(17 + 128), 0x01234567);
  assert.equal(out.length, 16 + 200 + 5);
  assert.equal(encodeChunks(message({ timestamp: 0xfffffe }), 4096).readUIntBE(1, 3), 0xfffffe);
});

test('two- and three-byte chunk stream ids', () => {
  assert.deepEqual([...encodeChunks(message({ chunkStreamId: 100 }), 4096).subarray(0, 2)], [0x00, 36]);
  assert.deepEqual([...encodeChunks(message({ chunkStreamId: 1000 }), 4096).subarray(0, 3)], [0x01, (1000 - 64) & 0xff, (1000 - 64) >> 8]);
});

test('what the writer writes, the reader reads back whatever the cuts and chunk sizes, honouring Set Chunk Size', () => {
  const rng = createRng(7);
  for (let round = 0; round < 50; round++) {
    const chunkSize = rng.pick([1, 60, 128, 4096, 70_000]);
    const sent = Array.from({ length: 20 }, (_, i) =>
      message({ chunkStreamId: rng.pick([3, 4, 6, 70, 400]), timestamp: rng.chance(0.3) ? 0xffffff + rng.int(1e6) : rng.int(1e6), payload: Buffer.alloc(rng.int(5000), i) }),
    );
    const bytes = Buffer.concat([encodeChunks(setChunkSizeMessage(chunkSize), 128), ...sent.map((m) => encodeChunks(m, chunkSize))]);
    const reader = new ChunkReader(LIMITS);
    const got: RtmpMessage[] = [];
    for (let at = 0; at < bytes.length; ) {
      const size = 1 + rng.int(3000);
      got.push(...reader.push(bytes.subarray(at, at + size)));
      at += size;
    }
    assert.deepEqual(got.map((m) => [m.chunkStreamId, m.timestamp, m.payload.length]), sent.map((m) => [m.chunkStreamId, m.timestamp, m.payload.length]), `round ${round}`);
    got.forEach((m, i) => assert.ok(m.payload.equals(sent[i]!.payload)));
  }
});

test('type-1, -2 and -3 headers from a server apply deltas and carry the previous fields', () => {
  const type1 = Buffer.from([0x43, 0, 0, 10, 0, 0, 2, MESSAGE.command, 0xaa, 0xbb]);
  const type2 = Buffer.from([0x83, 0, 0, 5, 0xcc, 0xdd]);
  const type3 = Buffer.from([0xc3, 0xee, 0xff]);
  const first = referenceChunks({ cid: 3, type: MESSAGE.command, payload: Buffer.from([1, 2]), timestamp: 100 });
  const got = new ChunkReader(LIMITS).push(Buffer.concat([first, type1, type2, type3]));
  assert.deepEqual(got.map((m) => [m.type, m.timestamp, m.payload.toString('hex')]), [
    [MESSAGE.command, 100, '0102'],
    [MESSAGE.command, 110, 'aabb'],
    [MESSAGE.command, 115, 'ccdd'],
    [MESSAGE.command, 120, 'eeff'],
  ]);
});

test('bounds: a declared size, too many chunk streams, a chunk stream out of nowhere, a bad Set Chunk Size', () => {
  assert.throws(() => new ChunkReader(LIMITS).push(referenceChunks({ cid: 3, type: 20, payload: Buffer.alloc(1), declaredLength: 0xffffff }).subarray(0, 12)), RtmpChunkError);
  const many = Buffer.concat(Array.from({ length: 9 }, (_, i) => referenceChunks({ cid: 3 + i, type: 20, payload: Buffer.alloc(1) })));
  assert.throws(() => new ChunkReader(LIMITS).push(many), /too many chunk streams/);
  assert.throws(() => new ChunkReader(LIMITS).push(Buffer.from([0xc5, 0x00])), /never started/);
  assert.throws(() => new ChunkReader(LIMITS).push(setChunkSize(0)), /Set Chunk Size of 0/);
  assert.throws(() => new ChunkReader(LIMITS).push(referenceChunks({ cid: 2, type: 1, payload: Buffer.alloc(1) })), /without a size/);
});

test('fuzz: random and mutated server bytes end in messages or an RtmpChunkError, never another exception', () => {
  const valid = Buffer.concat([
    setChunkSize(60),
    referenceChunks({ cid: 2, type: 5, payload: Buffer.from([0, 0, 0x10, 0]) }),
    referenceChunks({ cid: 3, type: 20, payload: Buffer.alloc(200, 2), chunkSize: 60 }),
    referenceChunks({ cid: 3, type: 20, payload: Buffer.alloc(20, 3), timestamp: 0x1000000, chunkSize: 60 }),
  ]);
  const rng = createRng(2024);
  for (let i = 0; i < 5000; i++) {
    const mutated = rng.chance(0.7);
    const bytes = mutated ? Buffer.from(valid) : Buffer.from(Array.from({ length: rng.int(400) }, () => rng.int(256)));
    if (mutated) for (let m = 0; m < 1 + rng.int(6); m++) bytes[rng.int(bytes.length)] = rng.int(256);
    const reader = new ChunkReader(LIMITS);
    try {
      for (let at = 0; at < bytes.length; at += 17) for (const m of reader.push(bytes.subarray(at, at + 17))) assert.ok(m.payload.length <= LIMITS.maxMessageBytes);
    } catch (err) {
      assert.ok(err instanceof RtmpChunkError, `case ${i}: ${String(err)}`);
    }
  }
});
