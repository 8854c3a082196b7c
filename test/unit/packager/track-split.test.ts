// Splitting muxed fMP4 into one track's init and fragments: on real FFmpeg output with each of the three ways a tfhd
// can place its data, checked with ffprobe packet by packet; on hand-built boxes; and fuzzed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { childBoxes, FieldReader, Mp4FormatError, requireChild, type Box } from '../../../src/packager/fmp4/boxes.js';
import { parseInit, type InitInfo } from '../../../src/packager/fmp4/init.js';
import { Fmp4Reader } from '../../../src/packager/fmp4/reader.js';
import { splitInit, splitMedia } from '../../../src/packager/fmp4/track-split.js';
import { resolveFfmpeg } from '../../../src/transcode/ffmpeg.js';
import { box, encode, FPS, fullBox, prng, SECONDS, seedFromEnv, u32, u8 } from './fmp4-fixtures.js';

const run = promisify(execFile);
const log = pino({ level: 'silent' });

/** How FFmpeg's tfhd says where a traf's data is, by the -movflags it was given. */
const LAYOUTS = {
  /** What shopcast's transcoder writes: offsets from the moof (tfhd flag 0x20000). */
  'default-base-is-moof': ['+frag_keyframe+empty_moov+default_base_moof'],
  /** An absolute stream position in each tfhd (flag 0x01). */
  'base-data-offset': ['+frag_keyframe+empty_moov'],
  /** Neither: the first traf's data counts from its moof, the next from the end of the data before it. */
  implicit: ['+frag_keyframe+empty_moov+omit_tfhd_offset'],
} as const;
type Layout = keyof typeof LAYOUTS;

interface Muxed {
  file: string;
  init: Uint8Array;
  info: InitInfo;
  /** Everything after the init, and where it starts in the stream. */
  media: Uint8Array;
  /** Segments: fragments from one keyframe to the next, with their stream positions. */
  segments: { bytes: Uint8Array; offset: number }[];
}

interface Packet {
  pts: number;
  dts: number;
  size: number;
  flags: string;
  data_hash: string;
}

describe('track split', () => {
  const seed = seedFromEnv();
  const random = prng(seed);
  let dir: string;
  let ffprobe: string;
  const muxed = new Map<Layout, Muxed>();

  before(async () => {
    console.log(`track-split test seed ${seed} (FMP4_SEED=${seed} replays it)`);
    dir = mkdtempSync(path.join(tmpdir(), 'shopcast-split-'));
    const ffmpeg = await resolveFfmpeg({ log, env: { PATH: '/usr/bin' } });
    assert.ok(ffmpeg.ffprobePath);
    ffprobe = ffmpeg.ffprobePath;
    for (const [layout, movflags] of Object.entries(LAYOUTS) as [Layout, readonly string[]][]) {
      const bytes = await encode(ffmpeg.path, { flags: ['-movflags', ...movflags, '-frag_duration', '333333'] });
      const file = path.join(dir, `${layout}.mp4`);
      writeFileSync(file, bytes);
      muxed.set(layout, cut(file, bytes));
    }
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  const get = (layout: Layout): Muxed => muxed.get(layout) as Muxed;
  const track = (m: Muxed, handler: string): number => m.info.tracks.find((t) => t.handler === handler)?.trackId ?? -1;

  async function packets(file: string, stream?: string): Promise<Packet[]> {
    // Not the duration: ffprobe leaves the first packet's unset in any single-track fMP4, FFmpeg's own included.
    const select = stream === undefined ? [] : ['-select_streams', stream];
    const { stdout } = await run(ffprobe, [
      ...['-v', 'error', ...select, '-show_entries', 'packet=pts,dts,size,flags,data_hash', '-show_data_hash', 'MD5'],
      ...['-of', 'json', file],
    ]);
    return (JSON.parse(stdout) as { packets: Packet[] }).packets;
  }

  async function streams(file: string): Promise<{ codec_name: string; nb_read_frames: string; duration: string }[]> {
    const { stdout } = await run(ffprobe, [
      ...['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,nb_read_frames,duration', '-of', 'json', file],
    ]);
    return (JSON.parse(stdout) as { streams: { codec_name: string; nb_read_frames: string; duration: string }[] }).streams;
  }

  function write(name: string, ...parts: Uint8Array[]): string {
    const file = path.join(dir, name);
    writeFileSync(file, Buffer.concat(parts));
    return file;
  }

  it('each FFmpeg layout is the one its flags promise', () => {
    const flagsOf = (m: Muxed): number => {
      const moof = childBoxes(top(m.media)).find((b) => b.type === 'moof');
      assert.ok(moof);
      const fields = FieldReader.of(requireChild(requireChild(moof, 'traf'), 'tfhd'));
      return fields.fullBox().flags;
    };
    assert.equal(flagsOf(get('default-base-is-moof')) & 0x20001, 0x20000);
    assert.equal(flagsOf(get('base-data-offset')) & 0x20001, 0x01);
    assert.equal(flagsOf(get('implicit')) & 0x20001, 0);
  });

  it('an init split keeps one trak, its trex, and a next_track_id after it', () => {
    const m = get('default-base-is-moof');
    for (const original of m.info.tracks) {
      const split = splitInit(m.init, original.trackId);
      assert.deepEqual(parseInit(split).tracks, [original]);
      const moov = childBoxes(top(split)).find((b) => b.type === 'moov');
      assert.ok(moov);
      assert.deepEqual(childBoxes(requireChild(moov, 'mvex')).map((b) => b.type), ['trex']);
      const mvhd = requireChild(moov, 'mvhd');
      assert.equal(new DataView(split.buffer, split.byteOffset).getUint32(mvhd.end - 4), original.trackId + 1);
      assert.deepEqual(childBoxes(top(split)).map((b) => b.type), childBoxes(top(m.init)).map((b) => b.type), 'ftyp kept');
    }
    assertMp4Error(() => splitInit(m.init, 9), 'malformed', /no track 9/);
  });

  for (const layout of Object.keys(LAYOUTS) as Layout[]) {
    it(`${layout}: video and audio split out losslessly, as ffprobe reads them`, async () => {
      const m = get(layout);
      const streamOffset = m.init.length;
      for (const [handler, select, codec] of [['vide', 'v', 'h264'], ['soun', 'a', 'aac']] as const) {
        const trackId = track(m, handler);
        const split = write(`${layout}.${select}.mp4`, splitInit(m.init, trackId), splitMedia(m.media, { init: m.info, trackId, streamOffset }));
        const probed = await streams(split);
        assert.equal(probed.length, 1);
        assert.equal(probed[0]?.codec_name, codec);
        const original = (await streams(m.file)).find((s) => s.codec_name === codec);
        if (codec === 'h264') assert.equal(Number(probed[0]?.nb_read_frames), SECONDS * FPS);
        else assert.equal(probed[0]?.duration, original?.duration);
        assert.deepEqual(await packets(split), await packets(m.file, select), 'same samples, bytes, times and flags');
      }
    });
  }

  it('splitting segment by segment gives the whole split, from any stream position', () => {
    for (const layout of ['default-base-is-moof', 'base-data-offset'] as const) {
      const m = get(layout);
      for (const trackId of m.info.tracks.map((t) => t.trackId)) {
        const whole = splitMedia(m.media, { init: m.info, trackId, streamOffset: m.init.length });
        const pieces = m.segments.map(({ bytes, offset }) => splitMedia(bytes, { init: m.info, trackId, streamOffset: offset }));
        assert.ok(m.segments.length >= 2);
        assert.deepEqual(Buffer.concat(pieces), Buffer.from(whole), `${layout} track ${trackId}`);
      }
    }
    const m = get('base-data-offset');
    const second = m.segments[1];
    assert.ok(second);
    assertMp4Error(() => splitMedia(second.bytes, { init: m.info, trackId: 1 }), 'malformed', /not inside the mdat/);
  });

  describe('on hand-built fragments', () => {
    const defaults = { sampleDuration: 0, sampleSize: 0, sampleFlags: 0 };
    const info: InitInfo = {
      majorBrand: 'iso6',
      compatibleBrands: [],
      tracks: [
        { trackId: 1, handler: 'vide', timescale: 90000, codec: 'avc1', defaults },
        { trackId: 2, handler: 'soun', timescale: 48000, codec: 'mp4a', defaults: { ...defaults, sampleSize: 2 } },
      ],
    };
    const tfdt = fullBox('tfdt', 1, 0, u32(0), u32(1234));
    /** Track 1: two samples of tfhd's default size 3; track 2: three of trex's default size 2, after styp and sidx. */
    const fragment = (extra: Uint8Array[] = []): Uint8Array => {
      const build = (offset1: number, offset2: number): Uint8Array =>
        box(
          'moof',
          fullBox('mfhd', 0, 0, u32(7)),
          box('traf', fullBox('tfhd', 0, 0x20010, u32(1), u32(3)), tfdt, fullBox('trun', 0, 0x01, u32(2), u32(offset1)), ...extra),
          box('traf', fullBox('tfhd', 0, 0x20000, u32(2)), tfdt, fullBox('trun', 0, 0x01, u32(3), u32(offset2))),
        );
      const moofSize = build(0, 0).length;
      const mdat = box('mdat', u8(1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2));
      return Buffer.concat([box('styp', Buffer.from('msdh'), u32(0)), box('sidx', u8(0, 0, 0, 0)), build(moofSize + 8, moofSize + 14), mdat]);
    };

    it('takes sample sizes from tfhd and trex, keeps styp and mfhd, drops sidx', () => {
      for (const [trackId, samples] of [[1, [1, 1, 1, 1, 1, 1]], [2, [2, 2, 2, 2, 2, 2]]] as const) {
        const out = splitMedia(fragment(), { init: info, trackId });
        const boxes = childBoxes(top(out));
        assert.deepEqual(boxes.map((b) => b.type), ['styp', 'moof', 'mdat']);
        const [, moof, mdat] = boxes;
        assert.ok(moof && mdat);
        assert.deepEqual(childBoxes(moof).map((b) => b.type), ['mfhd', 'traf']);
        assert.deepEqual([...out.subarray(mdat.bodyStart, mdat.end)], samples);
        const trun = FieldReader.of(requireChild(requireChild(moof, 'traf'), 'trun'));
        trun.fullBox();
        trun.u32();
        assert.equal(moof.start + trun.i32(), mdat.bodyStart, 'data offset counts from the new moof');
      }
    });

    it('leaves out a fragment without the track, and refuses what it cannot rewrite', () => {
      const moof = (offset: number): Uint8Array =>
        box(
          'moof',
          fullBox('mfhd', 0, 0, u32(1)),
          box('traf', fullBox('tfhd', 0, 0x20000, u32(1)), tfdt, fullBox('trun', 0, 0x201, u32(1), u32(offset), u32(1))),
        );
      const videoOnly = moof(moof(0).length + 8);
      assert.equal(splitMedia(Buffer.concat([videoOnly, box('mdat', u8(9))]), { init: info, trackId: 2 }).length, 0);
      assertMp4Error(() => splitMedia(videoOnly, { init: info, trackId: 1 }), 'unexpected-box', /not followed by 'mdat'/);
      assertMp4Error(() => splitMedia(fragment([fullBox('saio', 0, 0, u32(0))]), { init: info, trackId: 1 }), 'unexpected-box', /saio/);
      assertMp4Error(() => splitMedia(box('mfra'), { init: info, trackId: 1 }), 'unexpected-box', /'mfra'/);
      assert.throws(() => splitMedia(fragment(), { init: info, trackId: 3 }), RangeError);
    });
  });

  it('on mutated or cut input, gives a result or an Mp4FormatError, and ends', { timeout: 60_000 }, () => {
    const m = get('default-base-is-moof');
    const outcomes = new Map<string, number>();
    const rounds = Number(process.env.FMP4_FUZZ_ROUNDS ?? 300);
    for (let round = 0; round < rounds; round++) {
      const trackId = m.info.tracks[random(m.info.tracks.length)]?.trackId ?? 1;
      const segment = m.segments[random(m.segments.length)]?.bytes ?? new Uint8Array();
      const work =
        round % 4 === 0
          ? () => splitInit(mutate(m.init, random), trackId)
          : () => splitMedia(mutate(segment, random), { init: m.info, trackId });
      let outcome = 'split';
      try {
        work();
      } catch (err) {
        if (!(err instanceof Mp4FormatError)) throw new Error(`round ${round}: ${String(err)}`, { cause: err });
        outcome = err.code;
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    console.log('track-split fuzz outcomes', Object.fromEntries(outcomes));
    assert.ok(outcomes.has('split') && outcomes.has('malformed'));
  });
});

/** The init, the media after it, and its segments (a keyframe fragment and those up to the next), by stream position. */
function cut(file: string, bytes: Uint8Array): Muxed {
  const events = new Fmp4Reader().push(bytes);
  const first = events[0];
  assert.equal(first?.kind, 'init');
  const segments: { bytes: Uint8Array[]; offset: number }[] = [];
  let offset = first.bytes.length;
  for (const event of events.slice(1)) {
    if (event.kind !== 'fragment') continue;
    if (event.info.independent) segments.push({ bytes: [], offset });
    segments.at(-1)?.bytes.push(event.bytes);
    offset += event.bytes.length;
  }
  return {
    file,
    init: first.bytes,
    info: first.info,
    media: bytes.subarray(first.bytes.length, offset),
    segments: segments.map((segment) => ({ bytes: Buffer.concat(segment.bytes), offset: segment.offset })),
  };
}

/** The top level of `bytes` as a parent box, so childBoxes lists it. */
function top(bytes: Uint8Array): Box {
  return { type: 'file', bytes, start: 0, bodyStart: 0, end: bytes.length };
}

function assertMp4Error(work: () => unknown, code: Mp4FormatError['code'], pattern: RegExp): void {
  assert.throws(work, (err: unknown) => err instanceof Mp4FormatError && err.code === code && pattern.test(err.message));
}

/** Bytes flipped anywhere or in the first 600 (the moov or moof, where the fields are), a u32 rewritten, or a cut. */
function mutate(bytes: Uint8Array, random: (below: number) => number): Uint8Array {
  const copy = Buffer.from(bytes);
  switch (random(4)) {
    case 0:
      for (let flips = 1 + random(8); flips > 0; flips--) copy[random(copy.length)] = random(256);
      return copy;
    case 1:
      for (let flips = 1 + random(4); flips > 0; flips--) copy[random(Math.min(600, copy.length))] = random(256);
      return copy;
    case 2: {
      const at = random(Math.min(600, copy.length - 4));
      const values = [0, 1, 7, 9, 0xffffffff, random(2 ** 32), (copy.readUInt32BE(at) + random(64) - 32) >>> 0];
      copy.writeUInt32BE(values[random(values.length)] ?? 0, at);
      return copy;
    }
    default:
      return copy.subarray(0, random(copy.length));
  }
}
