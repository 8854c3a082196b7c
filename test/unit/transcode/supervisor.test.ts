// The real Supervisor with Debian's FFmpeg, fed from a generated FLV file the way ingest feeds it.
import { testBus } from '../bus.js';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { EventBus, type EventName, type ShopcastEvents } from '../../../src/events.js';
import type { FlvFeed, Ladder, SourceInfo } from '../../../src/media.js';
import { RungSegmenter, type RungSegment } from '../../../src/packager/rung-segmenter.js';
import { resolveFfmpeg, type FfmpegInfo } from '../../../src/transcode/ffmpeg.js';
import type { Profile } from '../../../src/transcode/profile.js';
import type { RestartPolicy } from '../../../src/transcode/restart.js';
import type { RunOutputSink, RunRef } from '../../../src/transcode/run-output.js';
import { Supervisor } from '../../../src/transcode/supervisor.js';
import { AAC, defaultProfile, FileFeed, video } from './fixtures.js';

const log = pino({ level: 'silent' });
const FAST_RESTARTS: RestartPolicy = {
  retryDelayMs: 100,
  maxRetryDelayMs: 500,
  backoff: 'linear',
  maxRestarts: 2,
  resetAfterMs: 60_000,
};
const PROFILE = defaultProfile({
  passthrough: false,
  rungs: [
    { name: '360p', shortSide: 360, videoBitrateKbps: 800, maxFps: 30 },
    { name: '240p', shortSide: 240, videoBitrateKbps: 400, maxFps: 30 },
  ],
});
/** What ingest announces for the generated file: 640x360, keyframes every second, AAC. */
const SOURCE: SourceInfo = {
  video: video({ width: 640, height: 360, keyframeIntervalS: 1, bitrateKbps: 1000 }),
  audio: AAC,
};

function nextEvent<K extends EventName>(
  bus: EventBus,
  name: K,
  accept: (payload: ShopcastEvents[K]) => boolean = () => true,
): Promise<ShopcastEvents[K]> {
  return new Promise((resolve) => {
    const off = bus.on(name, (payload) => {
      if (!accept(payload)) return;
      off();
      resolve(payload);
    });
  });
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stands in for the packager: cuts what each run writes into segments, per run and rung. */
class RecordingSink implements RunOutputSink {
  readonly #segmenters = new Map<string, RungSegmenter>();
  readonly #segments = new Map<string, RungSegment[]>();
  readonly ended = new Set<string>();

  data(run: RunRef, rung: number, chunk: Buffer): void {
    const key = `${run.runId}/${rung}`;
    let segmenter = this.#segmenters.get(key);
    if (segmenter === undefined) {
      this.#segments.set(key, []);
      segmenter = new RungSegmenter({
        segmentDurationS: 2,
        onPart: () => undefined,
        onSegment: (segment) => this.#segments.get(key)?.push(segment),
      });
      this.#segmenters.set(key, segmenter);
    }
    segmenter.push(chunk);
  }

  /** FileFeed announces no keyframes: segments here close when the next keyframe part arrives. */
  keyframe(): void {}

  end(run: RunRef, rung: number): void {
    this.ended.add(`${run.runId}/${rung}`);
    this.#segmenters.get(`${run.runId}/${rung}`)?.end();
  }

  /** Segments rung `rung` of run `runId` finished so far. */
  segments(runId: string, rung: number): RungSegment[] {
    return this.#segments.get(`${runId}/${rung}`) ?? [];
  }
}

const rungsOf = (ladder: Ladder): string[] =>
  ladder.rungs.map((r) => `${r.name} ${r.width}x${r.height} ${r.passthrough ? 'copy' : 'h264'}`);

describe('Supervisor with a real FFmpeg', () => {
  let dir: string;
  let flv: Buffer;
  let ffmpeg: FfmpegInfo;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'shopcast-supervisor-'));
    const file = path.join(dir, 'source.flv');
    execFileSync('/usr/bin/ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30'],
      ...['-f', 'lavfi', '-i', 'sine', '-c:v', 'libx264', '-preset', 'ultrafast'],
      ...['-g', '30', '-keyint_min', '30', '-sc_threshold', '0', '-c:a', 'aac', '-t', '6', '-f', 'flv', file],
    ]);
    flv = readFileSync(file);
    ffmpeg = await resolveFfmpeg({ log, env: { PATH: '/usr/bin' } });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  interface TestSetup {
    profile?: Profile;
    stallTimeoutS?: number;
    restart?: RestartPolicy;
  }

  function startSupervisor({ profile = PROFILE, stallTimeoutS = 10, restart = FAST_RESTARTS }: TestSetup = {}) {
    const bus = testBus();
    const output = new RecordingSink();
    const profileFor = (): Profile => profile;
    const supervisor = new Supervisor({ bus, log, ffmpeg, profileFor, output, diskDir: dir, stallTimeoutS, restart });
    supervisor.start();
    /** Announces a publish and resolves with the run it started. */
    const goLive = (slug: string, feed: FlvFeed, options: { source?: SourceInfo; reconnect?: boolean } = {}) => {
      const started = nextEvent(bus, 'transcode.run.started', (e) => e.slug === slug);
      const { source = SOURCE, reconnect = false } = options;
      bus.emit('stream.live', { slug, publishId: `${slug}-${Date.now()}`, reconnect, source, feed });
      return started;
    };
    return { bus, supervisor, output, goLive };
  }

  it('starts a run, restarts it with a new runId after kill -9, leaves no process after stop()', { timeout: 30_000 }, async () => {
    const { bus, supervisor, output, goLive } = startSupervisor();
    const feed = new FileFeed(flv);
    const first = await goLive('demo', feed);

    assert.match(first.runId, /^[a-z0-9]+$/);
    assert.deepEqual(rungsOf(first.ladder), ['360p 640x360 h264', '240p 426x240 h264']);
    assert.ok(Math.abs(first.anchorWallClockMs() - Date.now()) < 5000);
    for (const i of [0, 1]) {
      await waitFor(`segments of rung ${i}`, () => output.segments(first.runId, i).length >= 2);
      const [segment] = output.segments(first.runId, i);
      assert.equal(Buffer.from(segment!.init.subarray(4, 8)).toString(), 'ftyp', `rung ${i} begins with its init segment`);
      assert.ok(segment!.parts.length >= 3 && segment!.parts[0]!.independent, `rung ${i}: a segment is parts from a keyframe`);
    }
    const stats = supervisor.stats('demo');
    assert.ok(stats?.pid);
    assert.equal(stats.runId, first.runId);
    assert.deepEqual(JSON.parse(JSON.stringify(stats)), stats, 'stats are plain JSON');
    const firstPid = stats.pid;

    const ended = nextEvent(bus, 'transcode.run.ended');
    const restarted = nextEvent(bus, 'transcode.run.started', (e) => e.runId !== first.runId);
    process.kill(firstPid, 'SIGKILL');
    const crash = await ended;
    assert.equal(crash.runId, first.runId);
    assert.equal(crash.expected, false);
    assert.match(crash.reason, /killed by SIGKILL/);
    const second = await restarted;
    assert.ok(output.ended.has(`${first.runId}/0`) && output.ended.has(`${first.runId}/1`), 'the killed run\'s outputs ended');
    assert.equal(feed.attachments, 2, 'the new run re-attached to the same feed');
    await waitFor('segments of the restarted run', () => output.segments(second.runId, 0).length >= 1);
    const afterRestart = supervisor.stats('demo');
    assert.equal(afterRestart?.restarts, 1);
    assert.match(afterRestart?.lastError ?? '', /SIGKILL/);
    const secondPid = afterRestart?.pid;
    assert.ok(secondPid && secondPid !== firstPid);

    const stopped = nextEvent(bus, 'transcode.run.ended');
    await supervisor.stop();
    assert.deepEqual(await stopped, { slug: 'demo', runId: second.runId, expected: true, reason: 'stopped' });
    assert.equal(isAlive(secondPid), false);
    assert.equal(supervisor.stats('demo')?.state, 'stopped');
  });

  it('kills a stalled FFmpeg (media arrives, output does not move), then gives up', { timeout: 15_000 }, async () => {
    const noRestarts = { ...FAST_RESTARTS, maxRestarts: 0 };
    const { bus, supervisor, goLive } = startSupervisor({ stallTimeoutS: 2, restart: noRestarts });
    // An FLV header announcing audio and video, then nothing FFmpeg can use, while the publisher keeps sending.
    const startedAt = Date.now();
    const stuck: FlvFeed = {
      get receivedBytes() {
        return Date.now() - startedAt;
      },
      attach(sink) {
        sink.write(Buffer.from([0x46, 0x4c, 0x56, 0x01, 0x05, 0, 0, 0, 9, 0, 0, 0, 0]));
        return { mediaStartWallClockMs: () => Date.now(), detach: () => undefined };
      },
      keyframeInterval: () => Promise.resolve(null),
    };
    const ended = nextEvent(bus, 'transcode.run.ended');
    await goLive('stuck', stuck);
    const crash = await ended;
    assert.equal(crash.expected, false);
    assert.match(crash.reason, /^stalled: no output progress for \d+(\.\d)? s/);
    await waitFor('failed state', () => supervisor.stats('stuck')?.state === 'failed', 2000);
    const lastError = supervisor.stats('stuck')?.lastError ?? '';
    assert.match(lastError, /gave up after 0 consecutive restarts; last error: stalled/);
    await supervisor.stop();
  });

  it('waits for the keyframe interval when the source could be copied, then copies it', { timeout: 30_000 }, async () => {
    const { supervisor, output, goLive } = startSupervisor({ profile: { ...PROFILE, passthrough: true } });
    const feed = new FileFeed(flv);
    feed.keyframeIntervalS = 1;
    // Ingest announces the stream at its first keyframe, when the interval is not known yet.
    const source = { ...SOURCE, video: video({ width: 640, height: 360, keyframeIntervalS: null }) };
    const run = await goLive('copy', feed, { source });
    assert.equal(feed.keyframeIntervalAsked, 1);
    assert.deepEqual(rungsOf(run.ladder), ['source 640x360 copy', '240p 426x240 h264']);
    for (const i of [0, 1]) {
      await waitFor(`segments of rung ${i}`, () => output.segments(run.runId, i).length >= 2);
    }
    await supervisor.stop();
  });

  it('reuses the previous ladder on reconnect and forgets it when the show ends', { timeout: 30_000 }, async () => {
    const { bus, supervisor, goLive } = startSupervisor();
    const small = { ...SOURCE, video: video({ width: 426, height: 240, keyframeIntervalS: 1 }) };
    const first = await goLive('shop', new FileFeed(flv));
    assert.deepEqual(rungsOf(first.ladder), ['360p 640x360 h264', '240p 426x240 h264']);
    bus.emit('stream.interrupted', { slug: 'shop', publishId: 'p1', reason: 'test' });
    // Back inside the window, smaller: public rungs keep their names and sizes (a fresh plan would be 240p only).
    const again = await goLive('shop', new FileFeed(flv), { source: small, reconnect: true });
    assert.deepEqual(rungsOf(again.ladder), ['360p 640x360 h264', '240p 426x240 h264']);
    const ended = nextEvent(bus, 'transcode.run.ended');
    bus.emit('stream.ended', { slug: 'shop', reason: 'window-expired' });
    assert.equal((await ended).expected, true);
    await waitFor('the ended stream to be forgotten', () => supervisor.stats('shop') === undefined, 2000);
    const fresh = await goLive('shop', new FileFeed(flv), { source: small, reconnect: true });
    assert.deepEqual(rungsOf(fresh.ladder), ['240p 426x240 h264']);
    await supervisor.stop();
  });

  it('plans a publisher coming back to a show resumed from an earlier process with that show\'s ladder', { timeout: 30_000 }, async () => {
    const earlier = startSupervisor();
    const planned = (await earlier.goLive('shop', new FileFeed(flv))).ladder;
    await earlier.supervisor.stop();

    const { supervisor, goLive } = startSupervisor();
    supervisor.resume([{ slug: 'shop', ladder: planned }]);
    const small = { ...SOURCE, video: video({ width: 426, height: 240, keyframeIntervalS: 1 }) };
    const again = await goLive('shop', new FileFeed(flv), { source: small, reconnect: true });
    assert.deepEqual(rungsOf(again.ladder), ['360p 640x360 h264', '240p 426x240 h264']);
    const other = await goLive('other', new FileFeed(flv), { source: small, reconnect: true });
    assert.deepEqual(rungsOf(other.ladder), ['240p 426x240 h264'], 'only the resumed channel');
    await supervisor.stop();
  });
});
