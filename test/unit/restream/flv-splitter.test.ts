import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flvHeader, TAG_AUDIO, TAG_SCRIPT, TAG_VIDEO } from '../../../src/ingest/flv.js';
import { FlvStreamError, FlvTagSplitter } from '../../../src/restream/flv-splitter.js';
import { createRng } from '../../reliability/helpers/fuzz.js';
import { flvTagBytes } from '../flv-bytes.js';

const tag = flvTagBytes;

/** Metadata, sequence headers, then GOPs of keyframe + inter frames with audio between, some large. */
function stream(): Buffer[] {
  const tags = [
    tag(TAG_SCRIPT, 0, Buffer.concat([Buffer.from([0x02, 0x00, 0x0a]), Buffer.from('onMetaData'), Buffer.from([0x05])])),
    tag(TAG_VIDEO, 0, Buffer.from([0x17, 0x00, 0, 0, 0, 1, 2, 3])),
    tag(TAG_AUDIO, 0, Buffer.from([0xaf, 0x00, 0x12, 0x10])),
  ];
  for (let i = 0; i < 30; i++) {
    const keyframe = i % 10 === 0;
    const size = keyframe ? 40_000 : 300 + i * 17;
    tags.push(tag(TAG_VIDEO, i * 33 + 0x1000000 * (i > 20 ? 1 : 0), Buffer.concat([Buffer.from([keyframe ? 0x17 : 0x27, 0x01, 0, 0, 0]), Buffer.alloc(size, i)])));
    tags.push(tag(TAG_AUDIO, i * 33 + 5, Buffer.concat([Buffer.from([0xaf, 0x01]), Buffer.alloc(200, i)])));
  }
  return tags;
}

function splitAt(bytes: Buffer, seed: number, maxPiece: number): Buffer[] {
  const rng = createRng(seed);
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = rng.chance(0.05) ? 0 : 1 + rng.int(maxPiece);
    pieces.push(bytes.subarray(at, at + size));
    at += size;
  }
  return pieces;
}

test('a stream cut at arbitrary points gives back every tag, whole and in order, with its kind and timestamp', () => {
  const tags = stream();
  const bytes = Buffer.concat([flvHeader(true, true), ...tags]);
  for (const [seed, maxPiece] of [[1, 1], [2, 7], [3, 100], [4, 5000], [5, 70_000], [6, 13]] as const) {
    const splitter = new FlvTagSplitter();
    const out = splitAt(bytes, seed, maxPiece).flatMap((piece) => splitter.push(piece));
    assert.equal(out.length, tags.length, `seed ${seed}`);
    out.forEach((got, i) => assert.ok(got.bytes.equals(tags[i]!), `seed ${seed}: tag ${i}`));
    assert.deepEqual(out.slice(0, 5).map((t) => t.kind), ['metadata', 'video-header', 'audio-header', 'keyframe', 'audio']);
    assert.equal(out.at(-2)!.timestampMs, 29 * 33 + 0x1000000, 'the extended timestamp byte is read');
  }
});

test('tags without a file header (as node-media-server hands them out) split too', () => {
  const tags = stream();
  const splitter = new FlvTagSplitter();
  const out = splitAt(Buffer.concat(tags), 9, 333).flatMap((piece) => splitter.push(piece));
  assert.equal(out.length, tags.length);
});

test('a tag declared above the bound is an error as soon as its header is read, not an allocation', () => {
  const splitter = new FlvTagSplitter({ maxTagBytes: 1024 * 1024 });
  splitter.push(flvHeader(false, true));
  const header = tag(TAG_VIDEO, 0, Buffer.alloc(0)).subarray(0, 11);
  header.writeUIntBE(0xfffff0, 1, 3);
  assert.throws(() => splitter.push(header), FlvStreamError);
  assert.throws(() => splitter.push(tag(TAG_AUDIO, 0, Buffer.alloc(4))), FlvStreamError, 'a failed splitter stays failed');
});

test('a stream that lost sync (wrong previous-tag size) and an absurd file header are errors', () => {
  const broken = tag(TAG_AUDIO, 0, Buffer.alloc(10));
  broken.writeUInt32BE(99, broken.length - 4);
  assert.throws(() => new FlvTagSplitter().push(Buffer.concat([flvHeader(true, false), broken])), /out of sync/);
  const header = flvHeader(true, true);
  header.writeUInt32BE(1 << 20, 5);
  assert.throws(() => new FlvTagSplitter().push(header), FlvStreamError);
});
