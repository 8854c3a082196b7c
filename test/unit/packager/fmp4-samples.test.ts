// Per-sample reading of fMP4 fragments: on hand-built boxes (signed offsets, where runs and trafs put their data,
// bounds) and on real FFmpeg output in each way a tfhd can place its data, checked with ffprobe packet by packet.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { childBoxes, Mp4FormatError, type Box } from '../../../src/packager/fmp4/boxes.js';
import { fragmentSamples, parseFragment, type TrackSamples } from '../../../src/packager/fmp4/fragment.js';
import type { InitInfo } from '../../../src/packager/fmp4/init.js';
import { Fmp4Reader } from '../../../src/packager/fmp4/reader.js';
import { box, encode, fullBox, u32 } from './fmp4-fixtures.js';

const run = promisify(execFile);

/** 32-bit fields; negative values as two's complement. */
const u32s = (...values: number[]): Uint8Array => Buffer.concat(values.map(u32));

function topBoxes(bytes: Uint8Array): Box[] {
  return childBoxes({ type: 'file', bytes, start: 0, bodyStart: 0, end: bytes.length });
}

describe('fragmentSamples on hand-built fragments', () => {
  const defaults = { sampleDuration: 10, sampleSize: 2, sampleFlags: 0 };
  const init: InitInfo = {
    majorBrand: 'iso6',
    compatibleBrands: [],
    tracks: [
      { trackId: 1, handler: 'vide', timescale: 1000, codec: 'avc1', defaults },
      { trackId: 2, handler: 'soun', timescale: 1000, codec: 'mp4a', defaults },
    ],
  };
  const NON_SYNC = 0x10000;
  /** styp, then a moof holding `trafs(moofSize)`, then an mdat whose body is the bytes 0, 1, 2... */
  const fragment = (trafs: (moofSize: number) => Uint8Array[], mdatBytes = 16): { moof: Box; mdat: Box; bytes: Uint8Array } => {
    const moof = (size: number): Uint8Array => box('moof', fullBox('mfhd', 0, 0, u32(1)), ...trafs(size));
    const styp = box('styp', Buffer.from('msdh'), u32(0));
    const body = Uint8Array.from({ length: mdatBytes }, (_, i) => i);
    const bytes = Buffer.concat([styp, moof(moof(0).length), box('mdat', body)]);
    const [, moofBox, mdatBox] = topBoxes(bytes);
    assert.ok(moofBox && mdatBox);
    return { moof: moofBox, mdat: mdatBox, bytes };
  };
  /** Each track's samples as [decode time, duration, composition offset, sync, bytes]. */
  const summary = (tracks: TrackSamples[]) =>
    tracks.map(({ trackId, baseMediaDecodeTime, samples }) => ({
      trackId,
      baseMediaDecodeTime,
      samples: samples.map((s) => [s.decodeTime, s.duration, s.compositionOffset, s.sync, [...s.bytes]]),
    }));

  it('reads every per-sample field, signed offsets of a version 1 trun, and data offsets from the moof', () => {
    const { moof, mdat } = fragment((moofSize) => [
      box(
        'traf',
        fullBox('tfhd', 0, 0x20000, u32(1)),
        fullBox('tfdt', 1, 0, u32(0), u32(5000)),
        // Three samples (duration, size, flags, composition offset each), from 2 bytes into the mdat body.
        fullBox('trun', 1, 0xf01, u32s(3, moofSize + 8 + 2, ...[33, 3, 0, 66], ...[34, 1, NON_SYNC, -33], ...[33, 2, NON_SYNC, 0])),
      ),
    ]);
    const samples = [
      [5000, 33, 66, true, [2, 3, 4]],
      [5033, 34, -33, false, [5]],
      [5067, 33, 0, false, [6, 7]],
    ];
    assert.deepEqual(summary(fragmentSamples(moof, mdat, init)), [{ trackId: 1, baseMediaDecodeTime: 5000, samples }]);
  });

  it('reads version 0 composition offsets as unsigned, and takes first-sample flags before the others', () => {
    const { moof, mdat } = fragment((moofSize) => [
      box(
        'traf',
        fullBox('tfhd', 0, 0x20020, u32(1), u32(NON_SYNC)),
        fullBox('tfdt', 0, 0, u32(0)),
        fullBox('trun', 0, 0x805, u32s(2, moofSize + 8, 0, 0xffff_fff0, 7)),
      ),
    ]);
    const [track] = fragmentSamples(moof, mdat, init);
    assert.deepEqual(track?.samples.map((s) => [s.compositionOffset, s.sync, s.duration, s.size]), [
      [0xffff_fff0, true, 10, 2],
      [7, false, 10, 2],
    ]);
  });

  it('continues a run without data offset after the one before, and a traf without a base after the traf before', () => {
    const { moof, mdat } = fragment((moofSize) => [
      // No base in either tfhd: the first traf's data counts from the moof, the second's follows the first's.
      box('traf', fullBox('tfhd', 0, 0, u32(1)), fullBox('tfdt', 0, 0, u32(100)), fullBox('trun', 0, 0x01, u32s(1, moofSize + 8)), fullBox('trun', 0, 0, u32(2))),
      box('traf', fullBox('tfhd', 0, 0x10, u32(2), u32(3)), fullBox('tfdt', 0, 0, u32(7)), fullBox('trun', 0, 0, u32(1))),
    ]);
    assert.deepEqual(summary(fragmentSamples(moof, mdat, init)), [
      {
        trackId: 1,
        baseMediaDecodeTime: 100,
        samples: [
          [100, 10, 0, true, [0, 1]],
          [110, 10, 0, true, [2, 3]],
          [120, 10, 0, true, [4, 5]],
        ],
      },
      { trackId: 2, baseMediaDecodeTime: 7, samples: [[7, 10, 0, true, [6, 7, 8]]] },
    ]);
  });

  it('counts base_data_offset from the stream position it is given', () => {
    const build = (streamOffset: number) =>
      fragment((moofSize) => {
        const mdatBody = streamOffset + 16 + moofSize + 8; // after the styp and the moof
        return [box('traf', fullBox('tfhd', 0, 0x01, u32(1), u32(0), u32(mdatBody + 4)), fullBox('tfdt', 0, 0, u32(0)), fullBox('trun', 0, 0, u32(2)))];
      });
    const { moof, mdat } = build(1_000_000);
    const [track] = fragmentSamples(moof, mdat, init, { streamOffset: 1_000_000 });
    assert.deepEqual(track?.samples.map((s) => [...s.bytes]), [[4, 5], [6, 7]]);
    assert.throws(() => fragmentSamples(moof, mdat, init), (err) => err instanceof Mp4FormatError && /not inside the mdat/.test(err.message));
  });

  it('refuses samples outside the mdat and boxes of different buffers; the totals are the samples summed', () => {
    const outside = fragment((moofSize) => [
      box('traf', fullBox('tfhd', 0, 0x20000, u32(1)), fullBox('tfdt', 0, 0, u32(0)), fullBox('trun', 0, 0x201, u32s(2, moofSize + 8 + 10, 4, 3))),
    ]);
    assert.throws(() => fragmentSamples(outside.moof, outside.mdat, init), /3 bytes at \d+ is not inside the mdat/);
    const before = fragment(() => [box('traf', fullBox('tfhd', 0, 0x20000, u32(1)), fullBox('tfdt', 0, 0, u32(0)), fullBox('trun', 0, 0, u32(1)))]);
    assert.throws(() => fragmentSamples(before.moof, before.mdat, init), /not inside the mdat/, 'samples in the moof are not samples');
    const copy = topBoxes(Buffer.from(outside.bytes))[2];
    assert.ok(copy);
    assert.throws(() => fragmentSamples(outside.moof, copy, init), RangeError);
    const info = parseFragment(outside.moof, outside.mdat, init);
    assert.deepEqual(info.tracks.map((t) => [t.sampleCount, t.sampleBytes, t.duration]), [[2, 7, 20]]);
  });
});

/** How FFmpeg's tfhd says where a traf's data is, by the -movflags it was given. */
const LAYOUTS = {
  'default-base-is-moof': ['+frag_keyframe+empty_moov+default_base_moof'],
  'base-data-offset': ['+frag_keyframe+empty_moov'],
  implicit: ['+frag_keyframe+empty_moov+omit_tfhd_offset'],
  /** B-frames, with trun version 1's signed composition offsets. */
  'negative-offsets': ['+frag_keyframe+empty_moov+default_base_moof+negative_cts_offsets'],
} as const;
type Layout = keyof typeof LAYOUTS;

interface Packet {
  stream_index: number;
  pts: number;
  dts: number;
  /** ffprobe writes sizes as strings. */
  size: string;
  flags: string;
  data_hash: string;
}

describe('fragmentSamples on FFmpeg output', () => {
  let dir: string;
  const outputs = new Map<Layout, { tracks: Map<number, TrackSamples['samples'][number][]>; totals: Map<number, number[]>; packets: Packet[] }>();

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'shopcast-samples-'));
    for (const [layout, movflags] of Object.entries(LAYOUTS) as [Layout, readonly string[]][]) {
      const videoOptions = layout === 'negative-offsets' ? ['-preset', 'veryfast'] : undefined;
      const bytes = await encode('/usr/bin/ffmpeg', { flags: ['-movflags', ...movflags, '-frag_duration', '333333'], videoOptions });
      const file = path.join(dir, `${layout}.mp4`);
      writeFileSync(file, bytes);
      const { stdout } = await run('/usr/bin/ffprobe', [
        ...['-v', 'error', '-show_entries', 'packet=stream_index,pts,dts,size,flags,data_hash', '-show_data_hash', 'MD5'],
        ...['-of', 'json', file],
      ]);
      const packets = (JSON.parse(stdout) as { packets: Packet[] }).packets;
      const tracks = new Map<number, TrackSamples['samples'][number][]>();
      const totals = new Map<number, number[]>();
      let init: InitInfo | undefined;
      let streamOffset = 0;
      for (const event of new Fmp4Reader().push(bytes)) {
        if (event.kind === 'init') init = event.info;
        if (event.kind === 'fragment' && init !== undefined) {
          const top = childBoxes({ type: 'file', bytes: event.bytes, start: 0, bodyStart: 0, end: event.bytes.length });
          const at = top.findIndex((b) => b.type === 'moof');
          const [moof, mdat] = [top[at], top[at + 1]];
          assert.ok(moof && mdat);
          for (const track of fragmentSamples(moof, mdat, init, { streamOffset })) {
            assert.equal(track.samples[0]?.decodeTime, track.baseMediaDecodeTime);
            tracks.set(track.trackId, [...(tracks.get(track.trackId) ?? []), ...track.samples]);
          }
          for (const track of event.info.tracks) {
            const [count = 0, size = 0, duration = 0] = totals.get(track.trackId) ?? [];
            totals.set(track.trackId, [count + track.sampleCount, size + track.sampleBytes, duration + track.duration]);
          }
        }
        streamOffset += event.bytes.length;
      }
      outputs.set(layout, { tracks, totals, packets });
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives each packet ffprobe sees: its bytes, size, decode time, key flag, and presentation time', () => {
    for (const [layout, { tracks, packets }] of outputs) {
      assert.equal(tracks.size, 2, layout);
      for (const [trackId, samples] of tracks) {
        const probed = packets.filter((p) => p.stream_index === trackId - 1);
        assert.ok(probed.length > 100, `${layout} track ${trackId}: ${probed.length} packets`);
        assert.equal(samples.length, probed.length, `${layout} track ${trackId}`);
        // ffprobe shifts presentation by what the most negative offset takes back: one constant per track.
        const shift = (probed[0]?.pts ?? 0) - (probed[0]?.dts ?? 0) - (samples[0]?.compositionOffset ?? 0);
        if (layout !== 'negative-offsets') assert.equal(shift, 0, layout);
        samples.forEach((sample, i) => {
          const packet = probed[i];
          const where = `${layout} track ${trackId} sample ${i}`;
          assert.ok(packet, where);
          assert.equal(`MD5:${createHash('md5').update(sample.bytes).digest('hex')}`, packet.data_hash, where);
          assert.deepEqual([sample.size, sample.decodeTime, sample.sync], [Number(packet.size), packet.dts, packet.flags.startsWith('K')], where);
          assert.equal(sample.decodeTime + sample.compositionOffset + shift, packet.pts, where);
          const next = samples[i + 1];
          if (next !== undefined) assert.equal(sample.decodeTime + sample.duration, next.decodeTime, where);
        });
      }
      const video = tracks.get(1) ?? [];
      if (layout === 'negative-offsets') assert.ok(video.some((s) => s.compositionOffset < 0), 'B-frames have negative offsets');
    }
  });

  it('sums to the totals parseFragment gives, from the same reading', () => {
    for (const [layout, { tracks, totals }] of outputs) {
      for (const [trackId, samples] of tracks) {
        const summed = [samples.length, samples.reduce((sum, s) => sum + s.size, 0), samples.reduce((sum, s) => sum + s.duration, 0)];
        assert.deepEqual(summed, totals.get(trackId), `${layout} track ${trackId}`);
      }
    }
  });
});
