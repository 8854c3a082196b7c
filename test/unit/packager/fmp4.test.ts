// The fMP4 stream reader on hand-built boxes and on real output of both FFmpeg builds of the reference machine.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { boxAt, childBoxes, FieldReader, Mp4FormatError, readBoxHeader } from '../../../src/packager/fmp4/boxes.js';
import { fragmentSeconds, parseFragment } from '../../../src/packager/fmp4/fragment.js';
import type { InitInfo } from '../../../src/packager/fmp4/init.js';
import { Fmp4Reader, type Fmp4Event } from '../../../src/packager/fmp4/reader.js';
import { resolveFfmpeg } from '../../../src/transcode/ffmpeg.js';
import {
  box,
  chunks,
  encode,
  FPS,
  fullBox,
  GOP,
  probe,
  prng,
  SECONDS,
  seedFromEnv,
  u32,
  u8,
  type ProbedStream,
} from './fmp4-fixtures.js';

const log = pino({ level: 'silent' });

type FragmentEvent = Extract<Fmp4Event, { kind: 'fragment' }>;

function readAll(bytes: Uint8Array, random: (below: number) => number, maxChunk: number): Fmp4Event[] {
  const reader = new Fmp4Reader();
  const events = chunks(bytes, random, maxChunk).flatMap((chunk) => reader.push(chunk));
  reader.end();
  return events;
}

function initOf(events: Fmp4Event[]): InitInfo {
  const first = events[0];
  assert.equal(first?.kind, 'init');
  return first.info;
}

function fragmentsOf(events: Fmp4Event[]): FragmentEvent[] {
  return events.filter((event): event is FragmentEvent => event.kind === 'fragment');
}

function assertMp4Error(work: () => unknown, code: Mp4FormatError['code'], pattern: RegExp): void {
  const expected = (err: unknown) => err instanceof Mp4FormatError && err.code === code && pattern.test(err.message);
  assert.throws(work, expected);
}

describe('fMP4 boxes', () => {
  it('reads 32-bit and 64-bit sizes, and waits for a header not yet complete', () => {
    assert.deepEqual(readBoxHeader(box('free', u8(1, 2)), 0), { type: 'free', headerSize: 8, size: 10 });
    const large = Buffer.concat([u32(1), Buffer.from('mdat'), u32(0), u32(20), u32(0)]);
    assert.deepEqual(readBoxHeader(large, 0), { type: 'mdat', headerSize: 16, size: 20 });
    assert.equal(readBoxHeader(large, 0, 12), undefined);
    assert.equal(readBoxHeader(large.subarray(0, 7), 0), undefined);
  });

  it('refuses size 0, sizes below the header and largesizes past 2^53', () => {
    assertMp4Error(() => readBoxHeader(Buffer.concat([u32(0), Buffer.from('mdat')]), 0), 'malformed', /size 0/);
    assertMp4Error(() => readBoxHeader(Buffer.concat([u32(7), Buffer.from('free')]), 0), 'malformed', /smaller/);
    const huge = Buffer.concat([u32(1), Buffer.from('mdat'), u32(0xffffffff), u32(0)]);
    assertMp4Error(() => readBoxHeader(huge, 0), 'malformed', /largesize/);
  });

  it('refuses a child running past its parent and a field past the end of its box', () => {
    const parent = box('moov', box('trak', u8(0, 0)));
    parent[11] = 99; // trak's size
    assertMp4Error(() => childBoxes(boxAt(parent, 0)), 'malformed', /past its parent/);
    const fields = FieldReader.of(boxAt(box('mfhd', u8(0, 0, 0)), 0));
    assertMp4Error(() => fields.u32(), 'malformed', /past the end/);
  });
});

describe('parseFragment', () => {
  const init = (sampleDuration: number, sampleFlags: number): InitInfo => ({
    majorBrand: 'iso5',
    compatibleBrands: [],
    tracks: [
      {
        ...{ trackId: 1, handler: 'vide', timescale: 1000, codec: 'avc1' },
        defaults: { sampleDuration, sampleSize: 4, sampleFlags },
      },
    ],
  });
  const moof = (tfhd: Uint8Array, trun: Uint8Array): Uint8Array =>
    box('moof', fullBox('mfhd', 0, 0, u32(7)), box('traf', tfhd, fullBox('tfdt', 1, 0, u32(1), u32(5)), trun));
  const mdat = boxAt(box('mdat', new Uint8Array(64)), 0);
  const parse = (bytes: Uint8Array, info: InitInfo) => parseFragment(boxAt(bytes, 0), mdat, info);
  const NON_SYNC = 0x10000;

  it('takes durations from trun, else tfhd, else trex; and a 64-bit tfdt', () => {
    const tfhd = fullBox('tfhd', 0, 0, u32(1));
    const perSample = parse(moof(tfhd, fullBox('trun', 0, 0x100, u32(2), u32(30), u32(40))), init(9, 0));
    assert.equal(perSample.sequenceNumber, 7);
    assert.deepEqual(perSample.tracks[0], {
      ...{ trackId: 1, baseMediaDecodeTime: 2 ** 32 + 5, sampleCount: 2, duration: 70, sampleBytes: 8 },
      firstSampleIsSync: true,
    });
    const fromTfhd = parse(moof(fullBox('tfhd', 0, 0x08, u32(1), u32(25)), fullBox('trun', 0, 0, u32(3))), init(9, 0));
    assert.equal(fromTfhd.tracks[0]?.duration, 75);
    const fromTrex = parse(moof(tfhd, fullBox('trun', 0, 0, u32(3))), init(9, 0));
    assert.equal(fromTrex.tracks[0]?.duration, 27);
    assert.equal(fragmentSeconds(fromTrex, init(9, 0), 1), 0.027);
  });

  it('takes the first sample flags from trun first-sample-flags, then per-sample flags, then tfhd, then trex', () => {
    const tfhd = fullBox('tfhd', 0, 0, u32(1));
    const sync = (bytes: Uint8Array, trexFlags: number) => parse(bytes, init(1, trexFlags)).independent;
    assert.equal(sync(moof(tfhd, fullBox('trun', 0, 0x004, u32(1), u32(0))), NON_SYNC), true);
    assert.equal(sync(moof(tfhd, fullBox('trun', 0, 0x400, u32(2), u32(NON_SYNC), u32(0))), 0), false);
    assert.equal(sync(moof(fullBox('tfhd', 0, 0x20, u32(1), u32(NON_SYNC)), fullBox('trun', 0, 0, u32(1))), 0), false);
    assert.equal(sync(moof(tfhd, fullBox('trun', 0, 0, u32(1))), NON_SYNC), false);
    assert.equal(sync(moof(tfhd, fullBox('trun', 0, 0, u32(1))), 0), true);
  });

  it('refuses a sample count the trun cannot hold, samples the mdat cannot hold, and unknown tracks', () => {
    const tfhd = fullBox('tfhd', 0, 0, u32(1));
    const refused = (bytes: Uint8Array, pattern: RegExp) =>
      assertMp4Error(() => parse(bytes, init(1, 0)), 'malformed', pattern);
    refused(moof(tfhd, fullBox('trun', 0, 0x100, u32(1e9))), /trun declares/);
    refused(moof(tfhd, fullBox('trun', 0, 0, u32(17))), /mdat holds 64/);
    refused(moof(fullBox('tfhd', 0, 0, u32(2)), fullBox('trun', 0, 0, u32(1))), /track 2/);
  });
});

interface Build {
  name: string;
  ffmpeg: string;
  av: Buffer;
  events: Fmp4Event[];
  probed: ProbedStream[];
}

describe('Fmp4Reader on FFmpeg output', () => {
  const seed = seedFromEnv();
  const random = prng(seed);
  let dir: string;
  let ffprobe: string;
  const builds: Build[] = [];

  before(async () => {
    console.log(`fmp4 test seed ${seed} (FMP4_SEED=${seed} replays it)`);
    dir = mkdtempSync(path.join(tmpdir(), 'shopcast-fmp4-'));
    const debian = await resolveFfmpeg({ log, env: { PATH: '/usr/bin' } });
    const bundled = await resolveFfmpeg({ log, env: { PATH: '' } });
    assert.ok(debian.ffprobePath);
    ffprobe = debian.ffprobePath;
    for (const { name, info } of [
      { name: `Debian ${debian.version}`, info: debian },
      { name: `bundled ${bundled.version}`, info: bundled },
    ]) {
      const av = await encode(info.path);
      const file = path.join(dir, `${builds.length}.mp4`);
      writeFileSync(file, av);
      const probed = await probe(ffprobe, file);
      builds.push({ name, ffmpeg: info.path, av, events: readAll(av, random, 4096), probed });
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reproduces the input byte for byte from chunks of any size, init first, mfra trailer last', () => {
    for (const { name, av } of builds) {
      for (const maxChunk of [1, 7, 100_000]) {
        const again = readAll(av, random, maxChunk);
        assert.deepEqual(Buffer.concat(again.map((event) => event.bytes)), av, `${name}, chunks up to ${maxChunk}`);
        const kinds = ['init', ...fragmentsOf(again).map(() => 'fragment'), 'trailer'];
        assert.deepEqual(again.map((event) => event.kind), kinds);
      }
    }
  });

  it('reads codecs, sizes and timescales that match ffprobe', () => {
    for (const { name, events, probed } of builds) {
      const [video, audio] = initOf(events).tracks;
      assert.equal(video?.handler, 'vide', name);
      assert.equal(video.codec, 'avc1');
      assert.deepEqual([video.width, video.height], [320, 180]);
      const probedVideo = probed.find((stream) => stream.codecType === 'video');
      assert.equal(probedVideo?.profile, 'Constrained Baseline'); // profile_idc 66 with constraint_set1
      assert.equal(video.codecs, `avc1.42c0${probedVideo.level.toString(16).padStart(2, '0')}`, name);
      assert.equal(audio?.handler, 'soun');
      assert.equal(probed.find((stream) => stream.codecType === 'audio')?.profile, 'LC');
      assert.equal(audio.codecs, 'mp4a.40.2', name);
      assert.deepEqual([audio.sampleRate, audio.channelCount], [48000, 2]);
    }
  });

  it('cuts ~0.25 s fragments whose tfdt is continuous and whose durations add up to the stream', () => {
    for (const { name, events, probed } of builds) {
      const init = initOf(events);
      const fragments = fragmentsOf(events);
      assert.equal(fragments.length, SECONDS * 4, name);
      for (const track of init.tracks) {
        let next = 0;
        let total = 0;
        for (const { info } of fragments) {
          const run = info.tracks.find((candidate) => candidate.trackId === track.trackId);
          assert.equal(run?.baseMediaDecodeTime, next, `${name} track ${track.trackId}`);
          next += run.duration;
          const seconds = fragmentSeconds(info, init, track.trackId);
          assert.ok(seconds > 0.15 && seconds < 0.3, `${name}: fragment of ${seconds} s`);
          total += seconds;
        }
        const codecType = track.handler === 'vide' ? 'video' : 'audio';
        const probedTrack = probed.find((stream) => stream.codecType === codecType);
        const frame = track.handler === 'vide' ? 1 / FPS : 1024 / 48000;
        assert.ok(Math.abs(total - (probedTrack?.durationS ?? 0)) <= frame, `${name}: ${total} s of ${track.handler}`);
      }
    }
  });

  it('marks fragments independent exactly at the key frames ffprobe sees, every 2 s', () => {
    for (const { name, events, probed } of builds) {
      const init = initOf(events);
      const video = init.tracks.find((track) => track.handler === 'vide');
      assert.ok(video);
      const starts = fragmentsOf(events)
        .filter(({ info }) => info.independent)
        .map(({ info }) => info.tracks.find((track) => track.trackId === video.trackId)?.baseMediaDecodeTime ?? NaN)
        .map((ticks) => ticks / video.timescale);
      const keyframes = probed.find((stream) => stream.codecType === 'video')?.keyframeTimesS ?? [];
      assert.equal(keyframes.length, (SECONDS * FPS) / GOP, name);
      assert.deepEqual(starts.map((s) => s.toFixed(4)), keyframes.map((s) => s.toFixed(4)), name);
    }
  });

  it('puts +dash sidx boxes into the fragment they precede', async () => {
    const flags = ['-movflags', '+dash+frag_keyframe+skip_trailer', '-frag_duration', '250000'];
    const bytes = await encode(builds[0]?.ffmpeg ?? '', { flags });
    const events = readAll(bytes, random, 1000);
    assert.deepEqual(Buffer.concat(events.map((event) => event.bytes)), bytes);
    const fragments = fragmentsOf(events);
    assert.equal(fragments.at(-1), events.at(-1), 'no trailer with +skip_trailer');
    for (const { bytes: fragment } of fragments) {
      const wrapped = boxAt(Buffer.concat([u32(8 + fragment.length), Buffer.from('frag'), fragment]), 0);
      assert.deepEqual(childBoxes(wrapped).map((child) => child.type), ['sidx', 'sidx', 'moof', 'mdat']);
    }
    assert.equal(fragments.filter(({ info }) => info.independent).length, 2);
  });

  it('reads a video-only High profile stream and an audio-only stream', async () => {
    const ffmpeg = builds[0]?.ffmpeg ?? '';
    const videoOptions = ['-preset', 'veryfast', '-profile:v', 'high', '-level', '3.1'];
    const videoOnly = readAll(await encode(ffmpeg, { audio: false, videoOptions }), random, 5000);
    assert.equal(initOf(videoOnly).tracks.length, 1);
    assert.equal(initOf(videoOnly).tracks[0]?.codecs, 'avc1.64001f');
    const fragments = fragmentsOf(videoOnly);
    assert.deepEqual(fragments.map(({ info }) => info.independent).flatMap((on, i) => (on ? [i] : [])), [0, 8]);
    const audioOnly = readAll(await encode(ffmpeg, { video: false }), random, 5000);
    assert.deepEqual(initOf(audioOnly).tracks.map((track) => track.codecs), ['mp4a.40.2']);
    assert.ok(fragmentsOf(audioOnly).every(({ info }) => info.independent));
  });

  it('refuses a second init, an mdat without moof, a box past the limit before its body, a truncated end', () => {
    const av = builds[0]?.av ?? Buffer.alloc(0);
    const [init, first] = builds[0]?.events ?? [];
    assert.ok(init && first);
    assertMp4Error(() => new Fmp4Reader().push(Buffer.concat([init.bytes, init.bytes])), 'unexpected-box', /'ftyp'/);
    assertMp4Error(() => new Fmp4Reader().push(Buffer.concat([init.bytes, box('mdat')])), 'unexpected-box', /'mdat'/);
    const reader = new Fmp4Reader({ maxUnitBytes: 1024 * 1024 });
    reader.push(init.bytes);
    const bigMoof = Buffer.concat([u32(2 * 1024 * 1024), Buffer.from('moof')]);
    assertMp4Error(() => reader.push(bigMoof), 'too-large', /past 1048576/);
    assert.equal(reader.bufferedBytes, 8);
    assertMp4Error(() => reader.push(first.bytes), 'too-large', /past/); // failures are final
    const cut = new Fmp4Reader();
    cut.push(av.subarray(0, init.bytes.length + first.bytes.length - 1));
    assertMp4Error(() => cut.end(), 'truncated', /inside a fragment/);
    assertMp4Error(() => new Fmp4Reader().end(), 'truncated', /before its init/);
  });

  // FMP4_FUZZ_ROUNDS=3000 digs deeper (about 5 s).
  it('on mutated or truncated output, gives the input back or an Mp4FormatError', { timeout: 60_000 }, () => {
    const av = builds[0]?.av ?? Buffer.alloc(0);
    const unitStarts = [0];
    for (const event of builds[0]?.events ?? []) unitStarts.push((unitStarts.at(-1) ?? 0) + event.bytes.length);
    const maxUnitBytes = 256 * 1024;
    const outcomes = new Map<string, number>();
    for (let round = 0; round < Number(process.env.FMP4_FUZZ_ROUNDS ?? 300); round++) {
      const input = mutate(av, unitStarts, random);
      const reader = new Fmp4Reader({ maxUnitBytes });
      const events: Fmp4Event[] = [];
      let outcome = 'read';
      try {
        for (const chunk of chunks(input, random, 20_000)) {
          events.push(...reader.push(chunk));
          const held = reader.bufferedBytes;
          assert.ok(held <= maxUnitBytes + 64 * 1024, `round ${round}: ${held} bytes held`);
        }
        reader.end();
        assert.deepEqual(Buffer.concat(events.map((event) => event.bytes)), input, `round ${round}`);
      } catch (err) {
        if (!(err instanceof Mp4FormatError)) throw err;
        outcome = err.code;
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    console.log('fmp4 fuzz outcomes', Object.fromEntries(outcomes));
    assert.ok(['read', 'truncated', 'malformed'].every((outcome) => outcomes.has(outcome)));
  });
});

/**
 * One of: bytes flipped anywhere; bytes flipped in the first 1000 of a unit (its moov or moof, where the fields
 * are); a unit's size rewritten; a cut at a random offset.
 */
function mutate(bytes: Buffer, unitStarts: number[], random: (below: number) => number): Buffer {
  const copy = Buffer.from(bytes);
  const unitStart = (): number => unitStarts[random(unitStarts.length - 1)] ?? 0;
  switch (random(4)) {
    case 0:
      for (let flips = 1 + random(8); flips > 0; flips--) copy[random(copy.length)] = random(256);
      return copy;
    case 1:
      for (let flips = 1 + random(4); flips > 0; flips--) {
        copy[Math.min(unitStart() + random(1000), copy.length - 1)] = random(256);
      }
      return copy;
    case 2: {
      const at = unitStart();
      const sizes = [0, 1, 7, 9, random(2 ** 32), (copy.readUInt32BE(at) + random(64) - 32) >>> 0];
      copy.writeUInt32BE(sizes[random(sizes.length)] ?? 0, at);
      return copy;
    }
    default:
      return copy.subarray(0, random(copy.length));
  }
}
