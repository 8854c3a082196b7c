// Frame grabs with the real FFmpeg: a JPEG of the asked width of the exact frame asked for, from a real fMP4 init and
// media segment (FFmpeg's own, cut as the packager cuts them); its limits and failures; its CPU cost; and live posters
// made with it.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { EventBus } from '../../src/events.js';
import type { Rung } from '../../src/media.js';
import { Fmp4Reader } from '../../src/packager/fmp4/reader.js';
import { LivePosters } from '../../src/packager/posters/live-posters.js';
import type { PublishedSegment } from '../../src/packager/published-segment.js';
import { resolveFfmpeg, type FfmpegInfo } from '../../src/transcode/ffmpeg.js';
import { FrameGrabber, FrameGrabError, type FrameRequest } from '../../src/transcode/frame-grab.js';

const run = promisify(execFile);
const log = pino({ level: 'silent' });

const WIDTH = 640;
const HEIGHT = 360;
const FPS = 30;
/** Two segments of 2 s, each a GOP: FFmpeg's fragment per keyframe is the packager's segment. */
const SECONDS = 4;
const GOP = 2 * FPS;
/** Pictures are compared at this size, in grey: small enough to be fast, big enough to tell frames apart. */
const THUMB = { width: 160, height: 90 };
const THUMB_BYTES = THUMB.width * THUMB.height;

interface Material {
  dir: string;
  /** The whole encode, for reference frames. */
  whole: string;
  init: string;
  segments: string[];
}

async function encode(ffmpeg: string, dir: string): Promise<Material> {
  const whole = path.join(dir, 'whole.mp4');
  await run(ffmpeg, [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=${WIDTH}x${HEIGHT}:rate=${FPS}`, '-f', 'lavfi', '-i', 'sine=sample_rate=48000'],
    ...['-t', String(SECONDS), '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '800k', '-pix_fmt', 'yuv420p'],
    ...['-g', String(GOP), '-keyint_min', String(GOP), '-sc_threshold', '0', '-c:a', 'aac'],
    ...['-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', whole],
  ]);
  const reader = new Fmp4Reader();
  const events = reader.push(readFileSync(whole));
  reader.end();
  const init = events.find((event) => event.kind === 'init');
  const fragments = events.flatMap((event) => (event.kind === 'fragment' ? [event] : []));
  assert.ok(init);
  assert.equal(fragments.length, SECONDS / 2);
  assert.ok(fragments.every((fragment) => fragment.info.independent), 'each segment starts with a keyframe');
  const initFile = path.join(dir, 'm-init0.mp4');
  await writeFile(initFile, init.bytes);
  const segments = await Promise.all(
    fragments.map(async (fragment, msn) => {
      const file = path.join(dir, `m-${msn}.m4s`);
      await writeFile(file, fragment.bytes);
      return file;
    }),
  );
  return { dir, whole, init: initFile, segments };
}

/** Every frame of `file`'s video in order, as small grey pictures. */
async function greyFrames(ffmpeg: string, file: string): Promise<Buffer[]> {
  const { stdout } = await run(
    ffmpeg,
    [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', file, '-map', '0:v:0', '-fps_mode', 'passthrough'],
      ...['-vf', `scale=${THUMB.width}:${THUMB.height}`, '-pix_fmt', 'gray', '-f', 'rawvideo', 'pipe:1'],
    ],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  const frames: Buffer[] = [];
  for (let at = 0; at + THUMB_BYTES <= stdout.length; at += THUMB_BYTES) frames.push(stdout.subarray(at, at + THUMB_BYTES));
  return frames;
}

function meanDifference(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / a.length;
}

/** Which reference frame a JPEG shows: the one it differs least from. */
async function whichFrame(ffmpeg: string, dir: string, jpeg: Uint8Array, reference: Buffer[]): Promise<number> {
  const file = path.join(dir, 'which.jpg');
  await writeFile(file, jpeg);
  const [picture] = await greyFrames(ffmpeg, file);
  assert.ok(picture);
  const differences = reference.map((frame) => meanDifference(picture, frame));
  return differences.indexOf(Math.min(...differences));
}

async function probeJpeg(ffprobe: string, dir: string, jpeg: Uint8Array): Promise<{ codec_name: string; width: number; height: number }> {
  const file = path.join(dir, 'probe.jpg');
  await writeFile(file, jpeg);
  const { stdout } = await run(ffprobe, ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', file]);
  const [stream] = (JSON.parse(stdout) as { streams: { codec_name: string; width: number; height: number }[] }).streams;
  assert.ok(stream);
  return stream;
}

async function failure(promise: Promise<unknown>): Promise<FrameGrabError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof FrameGrabError, `a FrameGrabError, not ${String(err)}`);
    return err;
  }
  assert.fail('the grab gave a picture');
}

/** CPU seconds (user + system) of this process's children that ended so far. */
function childCpuS(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  return (Number(fields[13]) + Number(fields[14])) / ticks;
}

describe('frame grabs with FFmpeg', () => {
  let ffmpeg: FfmpegInfo;
  let ffprobe: string;
  let material: Material;
  let reference: Buffer[];
  let grabber: FrameGrabber;
  const request = (segment: number, atS: number, maxWidth = WIDTH): FrameRequest => ({
    init: material.init,
    media: material.segments[segment] ?? '',
    atS,
    maxWidth,
  });

  before(async () => {
    ffmpeg = await resolveFfmpeg({ log, env: { PATH: '/usr/bin' } });
    assert.ok(ffmpeg.ffprobePath);
    ffprobe = ffmpeg.ffprobePath;
    material = await encode(ffmpeg.path, await mkdtemp(path.join(tmpdir(), 'shopcast-frame-grab-')));
    reference = await greyFrames(ffmpeg.path, material.whole);
    assert.equal(reference.length, SECONDS * FPS);
    grabber = new FrameGrabber({ ffmpegPath: ffmpeg.path });
  });

  after(async () => {
    await grabber.stop();
    await rm(material.dir, { recursive: true, force: true });
  });

  it('gives a JPEG of the first frame of a segment, and of the frame a moment into it', async () => {
    const first = await grabber.grab(request(1, 0));
    const later = await grabber.grab(request(1, 1.5));
    for (const jpeg of [first, later]) {
      assert.deepEqual(await probeJpeg(ffprobe, material.dir, jpeg), { codec_name: 'mjpeg', width: WIDTH, height: HEIGHT });
      assert.ok(jpeg.length > 5_000 && jpeg.length < 200_000, `${jpeg.length} bytes`);
    }
    assert.notDeepEqual(first, later, 'testsrc2 moves');
    assert.equal(await whichFrame(ffmpeg.path, material.dir, first, reference), GOP, 'the second segment’s keyframe');
    assert.equal(await whichFrame(ffmpeg.path, material.dir, later, reference), GOP + 1.5 * FPS, '1.5 s after it');
  });

  it('scales down to the width asked, keeping the aspect, and never up', async () => {
    const size = async (maxWidth: number): Promise<unknown> =>
      probeJpeg(ffprobe, material.dir, await grabber.grab(request(0, 0, maxWidth)));
    assert.deepEqual(await size(320), { codec_name: 'mjpeg', width: 320, height: 180 });
    assert.deepEqual(await size(1280), { codec_name: 'mjpeg', width: WIDTH, height: HEIGHT });
  });

  it('fails with a short reason: no frame that late, a missing or broken segment, too slow, too big', async () => {
    assert.equal((await failure(grabber.grab(request(0, 2.5)))).reason, 'no-frame');
    assert.equal((await failure(grabber.grab({ ...request(0, 0), media: path.join(material.dir, 'gone.m4s') }))).reason, 'no-input');
    const broken = path.join(material.dir, 'broken.m4s');
    await writeFile(broken, Buffer.alloc(4096, 0x5a));
    const failed = await failure(grabber.grab({ ...request(0, 0), media: broken, init: broken }));
    assert.equal(failed.reason, 'failed');
    assert.ok(failed.message.length > 0 && failed.message.length <= 200 && !failed.message.includes(material.dir), failed.message);
    const limited = (limits: { timeoutMs?: number; maxOutputBytes?: number }): FrameGrabber =>
      new FrameGrabber({ ffmpegPath: ffmpeg.path, ...limits });
    assert.equal((await failure(limited({ timeoutMs: 1 }).grab(request(0, 0)))).reason, 'timeout');
    assert.equal((await failure(limited({ maxOutputBytes: 1000 }).grab(request(0, 0)))).reason, 'too-large');
    assert.ok((await grabber.grab(request(0, 0))).length > 0, 'the grabber goes on');
  });

  it('refuses grabs beyond its backlog while one runs', async () => {
    const small = new FrameGrabber({ ffmpegPath: ffmpeg.path, maxBacklog: 1 });
    const grabs = [0, 1, 2].map((i) => small.grab(request(0, i * 0.5)));
    const [first, second, third] = await Promise.allSettled(grabs);
    assert.equal(first?.status, 'fulfilled');
    assert.equal(second?.status, 'fulfilled');
    assert.ok(third?.status === 'rejected' && third.reason instanceof FrameGrabError && third.reason.reason === 'busy');
  });

  it('kills the running grab when stopped', async () => {
    const stopping = new FrameGrabber({ ffmpegPath: ffmpeg.path });
    const grab = stopping.grab(request(0, 1.9));
    await stopping.stop();
    assert.equal((await failure(grab)).reason, 'stopped');
  });

  it('costs little CPU: a 2 s 640x360 segment’s first frame, and its last', { skip: !existsSync('/proc/self/stat') }, async (t) => {
    for (const atS of [0, 1.95]) {
      const grabs = 5;
      const before = childCpuS();
      for (let i = 0; i < grabs; i += 1) await grabber.grab(request(0, atS));
      const perGrabMs = ((childCpuS() - before) / grabs) * 1000;
      t.diagnostic(`frame at ${atS} s: ${perGrabMs.toFixed(0)} ms CPU (user + system) per grab`);
      assert.ok(perGrabMs < 300, `${perGrabMs} ms per grab`);
    }
  });

  it('makes live posters: one grab per interval, a broken segment only a warning', async () => {
    const lines: { msg: string }[] = [];
    const posterLog = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) });
    const bus = new EventBus({ onListenerError: ({ err }) => assert.fail(`a listener failed: ${String(err)}`) });
    const asked: FrameRequest[] = [];
    const frames = { grab: (r: FrameRequest) => (asked.push(r), grabber.grab(r)) };
    let clock = 0;
    const postersDir = path.join(material.dir, 'posters');
    const posters = new LivePosters({ bus, frames, postersDir, log: posterLog, intervalS: 5, now: () => clock });
    posters.start();
    const broken = path.join(material.dir, 'broken.m4s');
    await writeFile(broken, Buffer.alloc(4096, 0x5a));
    const publish = (atS: number, msn: number, segmentPath: string): void => {
      clock = atS * 1000;
      bus.emit('packager.published', published(msn, segmentPath, material.init));
    };

    publish(0, 0, broken);
    await posters.idle();
    assert.deepEqual(lines.map((line) => line.msg), ['live poster not made']);
    assert.equal(await posters.image({ slug: 'shop', name: 'poster.jpg' }), undefined);
    publish(2, 1, material.segments[1] ?? '');
    publish(6, 2, material.segments[0] ?? '');
    publish(7, 3, material.segments[1] ?? '');
    await posters.idle();
    assert.deepEqual(asked.map((r) => r.media), [broken, material.segments[0]]);
    const poster = await posters.image({ slug: 'shop', name: 'poster.jpg' });
    assert.ok(poster);
    assert.equal(poster.maxAgeS, 5);
    assert.deepEqual(await probeJpeg(ffprobe, material.dir, poster.bytes), { codec_name: 'mjpeg', width: WIDTH, height: HEIGHT });
    assert.deepEqual(readFileSync(path.join(postersDir, 'shop.jpg')), Buffer.from(poster.bytes));
    await posters.stop();
  });
});

function published(msn: number, segmentPath: string, initPath: string): PublishedSegment {
  const rung = (name: string, width: number, height: number): Rung => ({
    name,
    passthrough: false,
    width,
    height,
    fps: FPS,
    videoBitrateKbps: 800,
    audio: { copy: false, bitrateKbps: 128 },
    codecs: 'avc1.64001e,mp4a.40.2',
    bandwidth: 1_000_000,
    averageBandwidth: 900_000,
  });
  const other = { segmentPath: '/nonexistent/720p.m4s', initPath: '/nonexistent/720p-init.mp4' };
  return {
    slug: 'shop',
    mediaShowId: 'm',
    msn,
    runIndex: 0,
    durationS: 2,
    programDateTimeMs: msn * 2000,
    runTimeS: msn * 2,
    discontinuity: false,
    rungs: [{ rung: rung('720p', 1280, 720), ...other }, { rung: rung('360p', WIDTH, HEIGHT), segmentPath, initPath }],
  };
}
