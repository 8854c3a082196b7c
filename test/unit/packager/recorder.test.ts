// The recorder on a real disk, fed the packager's events by hand: segments are linked into a folder per show, a
// restarted process continues a resumed show's recording and closes the others, the quota stops recording, retention
// and deletion leave a tombstone, and the VOD library serves the result.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import type { EventBus } from '../../../src/events.js';
import type { PublishedSegment } from '../../../src/packager/published-segment.js';
import { Recorder } from '../../../src/packager/recording/recorder.js';
import { vodLibrary } from '../../../src/packager/recording/vod-library.js';
import { testBus } from '../bus.js';
import { ladder } from './fixtures.js';

let root: string;
before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'shopcast-recorder-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const SHOW = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const T0 = Date.parse('2026-12-01T10:00:00Z');

interface Rig {
  bus: EventBus;
  recorder: Recorder;
  dir: string;
  media: string;
  /** Publishes live segment `msn` (its files written first, as the packager does) of the packaged show's run. */
  segment(msn: number, opts?: { run?: number; mediaShowId?: string; pdtMs?: number; bytes?: number }): Promise<void>;
  /** Waits for the recorder's queued work. */
  settled(): Promise<void>;
}

async function rig(name: string, opts: { quotaBytes?: number; retentionDays?: number; now?: () => number } = {}): Promise<Rig> {
  const base = path.join(root, name);
  const dir = path.join(base, 'recordings');
  const media = path.join(base, 'media');
  const bus = testBus();
  const recorder = new Recorder({
    bus,
    dir,
    quotaBytes: opts.quotaBytes ?? 1e9,
    retentionDays: opts.retentionDays ?? 0,
    log: pino({ level: 'silent' }),
    now: opts.now,
  });
  await recorder.start();
  const rungs = ladder().rungs;
  return {
    bus,
    recorder,
    dir,
    media,
    async segment(msn, { run = 0, mediaShowId = 'abc', pdtMs = T0 + msn * 2000, bytes = 1000 } = {}) {
      const published: PublishedSegment = {
        slug: 'demo',
        mediaShowId,
        msn,
        runIndex: run,
        durationS: 2,
        programDateTimeMs: pdtMs,
        runTimeS: msn * 2,
        discontinuity: false,
        rungs: [],
      };
      for (const rung of rungs) {
        const folder = path.join(media, rung.name);
        await mkdir(folder, { recursive: true });
        const segmentPath = path.join(folder, `${mediaShowId}-${msn}.m4s`);
        const initPath = path.join(folder, `${mediaShowId}-init${run}.mp4`);
        await writeFile(segmentPath, Buffer.alloc(bytes, msn));
        if (!existsSync(initPath)) await writeFile(initPath, Buffer.alloc(100, 0xee));
        published.rungs.push({ rung, segmentPath, initPath });
      }
      bus.emit('packager.published', published);
      await recorder.idle();
    },
    settled: () => recorder.idle(),
  };
}

const started = (bus: EventBus, showId = SHOW, resumed = false): void =>
  bus.emit('show.started', { slug: 'demo', showId, startedAt: new Date(T0).toISOString(), resumed });
const ended = (bus: EventBus, showId = SHOW, atMs = T0 + 60_000): void =>
  bus.emit('show.ended', { slug: 'demo', showId, endedAt: new Date(atMs).toISOString() });

test('a show is recorded as hard links of the published files, and its replay is served once it ended', async () => {
  const r = await rig('basic');
  started(r.bus);
  await r.segment(0);
  await r.segment(1);
  assert.equal(r.recorder.view(SHOW)?.status, 'recording');
  assert.equal(r.recorder.files(SHOW), undefined, 'no replay while live');
  const live = path.join(r.media, '360p', 'abc-1.m4s');
  const recorded = path.join(r.dir, SHOW, '360p', 'r-1.m4s');
  assert.equal(statSync(live).ino, statSync(recorded).ino, 'the same file, not a copy');
  await unlink(live);
  assert.ok(existsSync(recorded), 'it outlives the live window');
  ended(r.bus);
  await r.settled();
  const view = r.recorder.view(SHOW)!;
  assert.deepEqual({ status: view.status, durationS: view.durationS, rungs: view.rungs }, { status: 'ready', durationS: 4, rungs: ['360p', '180p'] });
  assert.equal(view.bytes, 2 * (2 * 1000) + 2 * 100);

  const vod = vodLibrary({ recordings: r.recorder, utcTimingUrl: '/live/time' });
  const media = vod.playlist(SHOW, '180p/index.m3u8')?.body ?? '';
  assert.match(media, /#EXT-X-PLAYLIST-TYPE:VOD\n/);
  assert.match(media, /#EXT-X-MAP:URI="r-init0.mp4"\n#EXT-X-PROGRAM-DATE-TIME:2026-12-01T10:00:00.000Z\n#EXTINF:2.000,\nr-0.m4s\n/);
  assert.match(media, /r-1.m4s\n#EXT-X-ENDLIST\n$/);
  assert.match(vod.playlist(SHOW, 'master.m3u8')?.body ?? '', /360p\/index.m3u8/);
  assert.match(vod.playlist(SHOW, 'manifest.mpd')?.body ?? '', /type="static"/);
  assert.equal(vod.segmentPath(SHOW, '180p', 'r-1.m4s'), path.join(r.dir, SHOW, '180p', 'r-1.m4s'));
  assert.equal(vod.segmentPath(SHOW, '180p', 'r-2.m4s'), undefined, 'nothing past the end');
  assert.equal(vod.segmentPath(SHOW, '180p', 'abc-1.m4s'), undefined, 'only the recording\'s own names');
  assert.equal(vod.segmentPath(SHOW, '720p', 'r-1.m4s'), undefined);
  await r.recorder.stop();
});

test('a new run or packaged show takes a new init segment and starts after a discontinuity; moments map to the replay by PDT', async () => {
  const r = await rig('runs');
  started(r.bus);
  await r.segment(0);
  await r.segment(1, { run: 1 });
  await r.segment(0, { mediaShowId: 'abd', pdtMs: T0 + 30_000 });
  ended(r.bus);
  await r.settled();
  const body = vodLibrary({ recordings: r.recorder, utcTimingUrl: '/t' }).playlist(SHOW, '360p/index.m3u8')?.body ?? '';
  assert.deepEqual([...body.matchAll(/r-init(\d)\.mp4/g)].map((m) => m[1]), ['0', '1', '2']);
  assert.equal(body.split('#EXT-X-DISCONTINUITY\n').length - 1, 2);
  const at = (ms: number): number | undefined => r.recorder.offsetAt(SHOW, T0 + ms);
  assert.deepEqual([at(-5000), at(0), at(3500), at(10_000), at(30_500), at(99_000)], [0, 0, 3.5, 4, 4.5, 6], 'before, inside, in the gap, after');
  await r.recorder.stop();
});

test('a restarted process continues the recording of a resumed show and closes the ones it does not resume', async () => {
  const name = 'restart';
  const first = await rig(name);
  started(first.bus);
  await first.segment(0);
  first.bus.emit('show.started', { slug: 'other', showId: OTHER, startedAt: new Date(T0).toISOString(), resumed: false });
  first.bus.emit('packager.published', { slug: 'other', mediaShowId: 'x', msn: 0, runIndex: 0, durationS: 2, programDateTimeMs: T0, runTimeS: 0, discontinuity: false, rungs: [{ rung: ladder().rungs[0]!, segmentPath: path.join(first.media, '360p', 'abc-0.m4s'), initPath: path.join(first.media, '360p', 'abc-init0.mp4') }] });
  await first.settled();
  await first.recorder.stop();

  const second = await rig(name);
  started(second.bus, SHOW, true);
  second.recorder.settle();
  await second.settled();
  assert.equal(second.recorder.view(SHOW)?.status, 'recording', 'the resumed show is still being recorded');
  assert.equal(second.recorder.view(OTHER)?.status, 'ready', 'the other is complete as it was');
  await second.segment(1);
  ended(second.bus);
  await second.settled();
  assert.equal(second.recorder.view(SHOW)?.durationS, 4);
  await second.recorder.stop();
});

test('a show of which nothing was recorded leaves no recording', async () => {
  const r = await rig('empty');
  started(r.bus);
  await r.settled();
  ended(r.bus);
  await r.settled();
  assert.equal(r.recorder.view(SHOW), undefined);
  assert.ok(!existsSync(path.join(r.dir, SHOW)));
  await r.recorder.stop();
});

test('a full quota stops the recording, says why, and what was recorded is a replay', async () => {
  const r = await rig('quota', { quotaBytes: 2 * 1000 + 2 * 100 + 1000 });
  const states: string[] = [];
  r.bus.on('recording.state', ({ status }) => void states.push(status));
  started(r.bus);
  await r.segment(0);
  await r.segment(1);
  const stopped = r.recorder.view(SHOW)!;
  assert.deepEqual({ status: stopped.status, reason: stopped.stoppedReason, durationS: stopped.durationS }, { status: 'stopped', reason: 'quota', durationS: 2 });
  assert.deepEqual(r.recorder.totals(), { bytes: stopped.bytes, recordings: 1, quotaBytes: 2 * 1000 + 2 * 100 + 1000 });
  await r.segment(2);
  assert.equal(r.recorder.view(SHOW)?.durationS, 2, 'nothing more is recorded');
  ended(r.bus);
  await r.settled();
  assert.equal(r.recorder.view(SHOW)?.status, 'ready');
  assert.deepEqual(states, ['stopped', 'ready']);
  await r.recorder.stop();
});

test('retention expires old replays and a seller deletes one: files go, a tombstone stays, it survives a restart', async () => {
  let now = T0 + 60_000;
  const r = await rig('retention', { retentionDays: 7, now: () => now });
  started(r.bus);
  await r.segment(0);
  ended(r.bus, SHOW, T0 + 60_000);
  started(r.bus, OTHER);
  await r.segment(1);
  ended(r.bus, OTHER, T0 + 60_000);
  await r.settled();
  await r.recorder.stop();

  now = T0 + 8 * 24 * 3600_000;
  const later = await rig('retention', { retentionDays: 7, now: () => now });
  await later.settled();
  assert.equal(later.recorder.view(SHOW)?.status, 'expired');
  assert.ok(later.recorder.gone(SHOW));
  assert.ok(!existsSync(path.join(later.dir, SHOW, '360p')), 'its files are gone');
  assert.ok(existsSync(path.join(later.dir, SHOW, 'recording.json')), 'a tombstone stays');
  assert.equal(JSON.parse(readFileSync(path.join(later.dir, SHOW, 'recording.json'), 'utf8')).status, 'expired');
  await later.recorder.stop();

  const kept = await rig('deletion');
  started(kept.bus);
  await kept.segment(0);
  ended(kept.bus);
  await kept.settled();
  assert.equal(await kept.recorder.delete(SHOW), true);
  assert.equal(await kept.recorder.delete(SHOW), false, 'once');
  assert.equal(kept.recorder.view(SHOW)?.status, 'deleted');
  const { bytes, recordings } = kept.recorder.totals();
  assert.deepEqual({ bytes, recordings }, { bytes: 0, recordings: 0 }, 'a deleted recording takes nothing');
  assert.equal(kept.recorder.files(SHOW), undefined);
  assert.ok(!existsSync(path.join(kept.dir, SHOW, 'segments.jsonl')));
  await kept.recorder.stop();
});

test('a deleted channel takes its recordings with it', async () => {
  const r = await rig('channel');
  started(r.bus);
  await r.segment(0);
  ended(r.bus);
  await r.settled();
  r.bus.emit('channel.deleted', { slug: 'demo' });
  await r.settled();
  assert.equal(r.recorder.view(SHOW), undefined);
  assert.ok(!existsSync(path.join(r.dir, SHOW)));
  await r.recorder.stop();
});

test('a segment whose files are gone is skipped, and the next one starts after a discontinuity', async () => {
  const r = await rig('skip');
  started(r.bus);
  await r.segment(0);
  r.bus.emit('packager.published', {
    slug: 'demo', mediaShowId: 'abc', msn: 1, runIndex: 0, durationS: 2, programDateTimeMs: T0 + 2000, runTimeS: 2, discontinuity: false,
    rungs: [{ rung: ladder().rungs[0]!, segmentPath: path.join(r.media, 'nowhere.m4s'), initPath: path.join(r.media, 'nowhere.mp4') }],
  });
  await r.settled();
  await r.segment(2);
  ended(r.bus);
  await r.settled();
  const body = vodLibrary({ recordings: r.recorder, utcTimingUrl: '/t' }).playlist(SHOW, '360p/index.m3u8')?.body ?? '';
  assert.match(body, /r-0.m4s\n#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:[^\n]+\n#EXTINF:2.000,\nr-1.m4s\n/);
  await r.recorder.stop();
});
