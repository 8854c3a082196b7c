// The packager across processes: a show persisted by one Packager is continued by the next on the same folders (same
// playlist at once, files kept, the next run after a discontinuity), ended if its window passed, and a deleted
// channel's media and state are retired. FFmpeg's output is replayed from a real encode, as a run writes it.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { types } from 'hls-parser';
import { parseMedia } from '../../e2e/helpers/hls.js';
import type { EventBus } from '../../../src/events.js';
import { testBus } from '../bus.js';
import { Packager, type PackagerOptions } from '../../../src/packager/packager.js';
import { ladder, packagerOptions } from './fixtures.js';
import { encodeRungs, replay, type EncodedRung } from './fmp4-runs.js';

const SLUG = 'demo';
const PIN = { id: 'pin-1', class: 'com.shopcast.pin', startMs: Date.now(), attributes: { 'X-PRODUCT-ID': 'p1' } };

let root: string;
let encoded: Promise<EncodedRung[]>;
before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'shopcast-restore-'));
  encoded = encodeRungs(12);
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

interface Gateway {
  bus: EventBus;
  packager: Packager;
  media(rung?: string): types.MediaPlaylist | undefined;
  body(rung?: string): string | undefined;
  /** FFmpeg's run `runId` with these segment durations, announced and (if `end`) ended. */
  run(runId: string, durations: number[], opts?: { end?: boolean }): Promise<void>;
}

function gateway(dir: string, opts: Partial<PackagerOptions> = {}): Gateway {
  const bus = testBus();
  const packager = new Packager(packagerOptions(bus, dir, { segmentGraceS: 30, ...opts }));
  const body = (rung = '360p'): string | undefined => packager.playlist(SLUG, `${rung}/index.m3u8`)?.body;
  return {
    bus,
    packager,
    body,
    media: (rung) => {
      const text = body(rung);
      return text === undefined ? undefined : parseMedia(text);
    },
    run: async (runId, durations, { end = false } = {}) => {
      const anchor = Date.now();
      const ref = { slug: SLUG, runId };
      bus.emit('transcode.run.started', { ...ref, ladder: ladder(), anchorWallClockMs: () => anchor });
      replay(packager, ref, await encoded, { segments: durations.length, end });
      if (end) bus.emit('transcode.run.ended', { ...ref, expected: true, reason: 'test' });
    },
  };
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A playlist without its parts: up to the last whole segment, with no part, preload hint or rendition report. */
function wholeSegments(body: string | undefined): string {
  const lines = (body ?? '').split('\n').filter((line) => !/^#EXT-X-(PART|PRELOAD-HINT|RENDITION-REPORT):/.test(line));
  const uris = lines.flatMap((line, i) => (line !== '' && !line.startsWith('#') ? [i] : []));
  return lines.slice(0, (uris.at(-1) ?? -1) + 1).join('\n');
}

const lastMsn = (p: types.MediaPlaylist | undefined): number => (p === undefined ? -1 : p.mediaSequenceBase! + p.segments.length - 1);

test('a show stopped without ending is served again at once by the next process and continued by the next run', async () => {
  const dir = path.join(root, 'continue');
  const first = gateway(dir);
  assert.deepEqual(await first.packager.start(), []);
  first.packager.setDateRange(SLUG, PIN);
  // Five segments with a window of four: segment 0 has left the playlist and waits out its grace.
  await first.run('run1', [2, 2, 2, 2, 2]);
  await waitFor('five segments', () => lastMsn(first.media()) === 4);
  const before = first.body();
  const showId = first.packager.status(SLUG)?.showId;
  await first.packager.stop(); // the run is still on: a deploy (or a crash after the last state write)
  assert.match(before ?? '', /#EXT-X-DATERANGE:ID="pin-1"/);
  assert.doesNotMatch(before ?? '', /ENDLIST/);
  const leftover = path.join(dir, 'media', SLUG, '360p', `${showId}-9.m4s`);
  await writeFile(leftover, 'never listed');

  const second = gateway(dir);
  const startedAt = Date.now();
  const resumable = await second.packager.start();
  assert.equal(resumable.length, 1);
  const [show] = resumable;
  assert.equal(show?.slug, SLUG);
  assert.deepEqual(show?.ladder, ladder());
  assert.ok(show !== undefined && show.windowEndsAtMs >= startedAt + 30_000 && show.windowEndsAtMs <= Date.now() + 30_000, 'a whole window from the restart');
  // Parts lived in the first process's memory: the same whole segments, pins and numbering are served at once.
  assert.equal(wholeSegments(second.body()), wholeSegments(before), 'the same playlist, served before any new run');
  assert.ok(second.packager.playlist(SLUG, 'master.m3u8'));
  for (const rung of ['360p', '180p']) {
    for (const file of [`${showId}-init0.mp4`, `${showId}-0.m4s`, `${showId}-1.m4s`, `${showId}-4.m4s`]) {
      const served = second.packager.segmentPath(SLUG, rung, file);
      assert.ok(served !== undefined && existsSync(served), `${rung}/${file} is served (segment 0: in its grace)`);
    }
  }
  assert.equal(existsSync(leftover), false, 'a file no state lists is deleted');
  assert.equal(second.packager.segmentPath(SLUG, '360p', `${showId}-9.m4s`), undefined);

  await second.run('run2', [2, 2]);
  await waitFor('the new run\'s segments', () => lastMsn(second.media()) === 6);
  for (const rung of ['360p', '180p']) {
    const playlist = second.media(rung)!;
    assert.deepEqual(
      playlist.segments.map((s) => [s.uri, s.discontinuity === true, s.map.uri]),
      [
        [`${showId}-3.m4s`, false, `${showId}-init0.mp4`],
        [`${showId}-4.m4s`, false, `${showId}-init0.mp4`],
        [`${showId}-5.m4s`, true, `${showId}-init1.mp4`],
        [`${showId}-6.m4s`, false, `${showId}-init1.mp4`],
      ],
      rung,
    );
  }
  assert.match(second.body() ?? '', /#EXT-X-DATERANGE:ID="pin-1"/, 'the pin is kept');
  second.bus.emit('transcode.run.ended', { slug: SLUG, runId: 'run2', expected: true, reason: 'test' });
  await second.packager.stop();
});

test('a restored show whose publisher has been gone longer than the window is ended at start, pins closed', async () => {
  const dir = path.join(root, 'expired');
  const first = gateway(dir);
  await first.packager.start();
  first.packager.setDateRange(SLUG, PIN);
  await first.run('run1', [2, 2], { end: true });
  await waitFor('two segments', () => lastMsn(first.media()) === 1);
  await first.packager.stop();

  const second = gateway(dir, { reconnectWindowS: 0 });
  assert.deepEqual(await second.packager.start(), [], 'nothing to resume');
  const ended = second.media();
  assert.equal(ended?.endlist, true);
  assert.match(second.body() ?? '', /#EXT-X-DATERANGE:ID="pin-1",CLASS="com.shopcast.pin",START-DATE="[^"]+",END-DATE=/);
  // A show after it does not inherit the pin.
  await second.run('run2', [2], { end: true });
  await waitFor('the next show', () => second.media()?.endlist === false);
  assert.doesNotMatch(second.body() ?? '', /DATERANGE/);
  await second.packager.stop();

  const third = gateway(dir);
  assert.equal((await third.packager.start()).length, 1, 'the state written after the end is the newer show\'s');
  await third.packager.stop();
});

test('a deleted channel: playlists gone at once, state removed, files after the grace; the slug starts clean', async () => {
  const dir = path.join(root, 'deleted');
  const first = gateway(dir, { segmentGraceS: 0.2 });
  await first.packager.start();
  await first.run('run1', [2, 2], { end: true });
  await waitFor('two segments', () => lastMsn(first.media()) === 1);
  const oldShow = first.packager.status(SLUG)?.showId;
  const stateFile = path.join(dir, 'state', `${SLUG}.json`);
  await waitFor('the state file', () => existsSync(stateFile));
  const retired: string[][] = [];
  first.bus.on('packager.playlists', (update) => retired.push(Object.keys(update.media)));

  first.bus.emit('channel.deleted', { slug: SLUG });
  await waitFor('the playlists to go', () => first.packager.playlist(SLUG, 'master.m3u8') === undefined);
  assert.equal(first.body(), undefined);
  assert.deepEqual(retired, [[]], 'HTTP workers are told too');
  assert.equal(first.packager.status(SLUG), undefined);
  await waitFor('the state file to go', () => !existsSync(stateFile));
  await waitFor('the files to go', () => first.packager.segmentPath(SLUG, '360p', `${oldShow}-0.m4s`) === undefined, 3_000);
  // Files are deleted one after the other: the first one leaving the index does not mean the last one is gone.
  const rungDir = path.join(dir, 'media', SLUG, '360p');
  const emptyBy = Date.now() + 3_000;
  while ((await readdir(rungDir)).length > 0 && Date.now() < emptyBy) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(await readdir(rungDir), []);

  await first.run('run2', [2]);
  await waitFor('the new channel\'s show', () => first.media() !== undefined);
  const fresh = first.media()!;
  assert.equal(fresh.mediaSequenceBase, 0);
  assert.notEqual(first.packager.status(SLUG)?.showId, oldShow);
  assert.equal(fresh.segments.length, 1);
  first.bus.emit('transcode.run.ended', { slug: SLUG, runId: 'run2', expected: true, reason: 'test' });
  await first.packager.stop();
});

test('state of a channel that no longer exists, or that cannot be read back, is dropped with its files', async () => {
  const dir = path.join(root, 'dropped');
  const first = gateway(dir);
  await first.packager.start();
  await first.run('run1', [2], { end: true });
  await waitFor('a segment', () => lastMsn(first.media()) === 0);
  await first.packager.stop();
  const mediaFiles = path.join(dir, 'media', SLUG, '360p');
  assert.equal((await readdir(mediaFiles)).length, 2);

  const second = gateway(dir, { isChannel: () => false });
  assert.deepEqual(await second.packager.start(), []);
  assert.equal(second.body(), undefined);
  assert.deepEqual(await readdir(mediaFiles), [], 'its files are leftovers');
  await second.packager.stop();
  assert.equal(existsSync(path.join(dir, 'state', `${SLUG}.json`)), false);

  await writeFile(path.join(dir, 'state', 'other.json'), '{"version":1}');
  const third = gateway(dir);
  assert.deepEqual(await third.packager.start(), []);
  assert.equal(third.packager.playlist('other', 'master.m3u8'), undefined);
  await third.packager.stop();
});
