import { testBus } from '../bus.js';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { parse, setOptions, type types } from 'hls-parser';
import { EventBus } from '../../../src/events.js';
import { assertDateRange, renderDateRange, type DateRange } from '../../../src/packager/date-range.js';
import { Packager } from '../../../src/packager/packager.js';
import { renderMediaPlaylist } from '../../../src/packager/render.js';
import { Show } from '../../../src/packager/show.js';
import { ladder, packagerOptions } from './fixtures.js';
import { encodeRungs, replay } from './fmp4-runs.js';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0, 0);

function pin(id: string, startMs: number, endMs?: number): DateRange {
  return {
    id: `pin-${id}`,
    class: 'com.shopcast.pin',
    startMs,
    ...(endMs === undefined ? {} : { endMs }),
    attributes: { 'X-PRODUCT-ID': `product-${id}` },
  };
}

/** A show with `count` 2 s segments from T0, a window of `windowSegments`. */
function showWith(count: number, windowSegments = 3): Show {
  const show = new Show({ showId: 'abc', rungs: ladder().rungs, windowSegments, segmentDurationS: 2 });
  const run = show.beginRun();
  for (let i = 0; i < count; i++) appendAt(show, run, i);
  return show;
}

function appendAt(show: Show, run: number, i: number): void {
  show.append({ runIndex: run, durationS: 2, programDateTimeMs: T0 + i * 2_000, publishedAtMs: 0 });
}

function dateRangeLines(playlist: string): string[] {
  return playlist.split('\n').filter((line) => line.startsWith('#EXT-X-DATERANGE:'));
}

test('a date range renders as EXT-X-DATERANGE with quoted ISO dates and client attributes', () => {
  assert.equal(
    renderDateRange(pin('1', T0 + 500)),
    '#EXT-X-DATERANGE:ID="pin-1",CLASS="com.shopcast.pin",START-DATE="2026-11-23T12:00:00.500Z",X-PRODUCT-ID="product-1"',
  );
  assert.equal(
    renderDateRange(pin('1', T0 + 500, T0 + 9_250)),
    '#EXT-X-DATERANGE:ID="pin-1",CLASS="com.shopcast.pin",START-DATE="2026-11-23T12:00:00.500Z",' +
      'END-DATE="2026-11-23T12:00:09.250Z",X-PRODUCT-ID="product-1"',
  );
});

test('ranges a playlist cannot carry are refused before they reach one', () => {
  const ok = pin('1', T0);
  assert.doesNotThrow(() => assertDateRange(ok));
  assert.throws(() => assertDateRange({ ...ok, id: 'a"b' }), /id/);
  assert.throws(() => assertDateRange({ ...ok, class: '' }), /class/);
  assert.throws(() => assertDateRange({ ...ok, endMs: T0 - 1 }), /end/);
  assert.throws(() => assertDateRange({ ...ok, startMs: Number.NaN }), /start/);
  assert.throws(() => assertDateRange({ ...ok, attributes: { 'PRODUCT-ID': 'x' } }), /client attribute/);
  assert.throws(() => assertDateRange({ ...ok, attributes: { 'X-PRODUCT-ID': 'x\ny' } }), /line break/);
});

test('ranges are listed after the header tags of the media playlist, and hls-parser reads them against PDT', () => {
  const show = showWith(2);
  show.setDateRange(pin('1', T0 + 1_000));
  const text = renderMediaPlaylist(show);
  const lines = text.split('\n');
  assert.equal(lines.indexOf('#EXT-X-INDEPENDENT-SEGMENTS') + 1, lines.findIndex((l) => l.startsWith('#EXT-X-DATERANGE:')));
  setOptions({ strictMode: true });
  let playlist: types.MediaPlaylist;
  try {
    playlist = parse(text) as types.MediaPlaylist;
  } finally {
    setOptions({ strictMode: false });
  }
  const range = playlist.segments[0]?.dateRange;
  assert.ok(range, 'the range is read');
  assert.equal(range.id, 'pin-1');
  assert.equal(range.classId, 'com.shopcast.pin');
  assert.equal(range.start?.getTime(), T0 + 1_000);
  assert.equal(range.attributes['X-PRODUCT-ID'], 'product-1');
});

test('no range is listed before the first segment: a DATERANGE needs a program date time', () => {
  const show = showWith(0);
  show.setDateRange(pin('1', T0));
  assert.deepEqual(dateRangeLines(renderMediaPlaylist(show)), []);
  assert.equal(show.dateRanges.length, 1, 'kept for when segments come');
});

test('an open range stays listed however old; a closed one goes once it ends before the window', () => {
  const show = showWith(3, 3);
  show.setDateRange(pin('open', T0 + 100));
  show.setDateRange(pin('closed', T0 + 200, T0 + 3_000));
  const run = 0;
  appendAt(show, run, 3); // window 2–8 s: the closed range (ends 3 s) still overlaps
  assert.deepEqual(show.dateRanges.map((r) => r.id), ['pin-open', 'pin-closed']);
  appendAt(show, run, 4); // window 4–10 s
  assert.deepEqual(show.dateRanges.map((r) => r.id), ['pin-open']);
  for (let i = 5; i < 50; i++) appendAt(show, run, i);
  assert.deepEqual(dateRangeLines(renderMediaPlaylist(show)).length, 1);
});

test('closing a range long past drops it at once; ranges are listed by start', () => {
  const show = showWith(10, 3); // window 14–20 s
  show.setDateRange(pin('b', T0 + 19_000));
  show.setDateRange(pin('a', T0 + 1_000));
  assert.deepEqual(show.dateRanges.map((r) => r.id), ['pin-a', 'pin-b']);
  show.setDateRange(pin('a', T0 + 1_000, T0 + 2_000));
  assert.deepEqual(show.dateRanges.map((r) => r.id), ['pin-b']);
});

test('ending the show closes open ranges at its last segment, drops later ones, and freezes them', () => {
  const show = showWith(3); // 0–6 s
  show.setDateRange(pin('open', T0 + 1_000));
  show.setDateRange(pin('later', T0 + 7_000));
  show.end();
  assert.deepEqual(show.dateRanges, [{ ...pin('open', T0 + 1_000), endMs: T0 + 6_000 }]);
  assert.equal(show.setDateRange(pin('new', T0 + 2_000)), false);
  assert.equal(show.dateRanges.length, 1);
  const text = renderMediaPlaylist(show);
  assert.match(text, /END-DATE="2026-11-23T12:00:06.000Z"/);
  assert.match(text, /#EXT-X-ENDLIST\n$/);
});

// The packager with a fake FFmpeg run: files written the way FFmpeg writes them, two rungs.
const roots: string[] = [];
after(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('the packager lists a range on every rung, re-renders on each change, and a new show starts without it', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'shopcast-daterange-'));
  roots.push(root);
  const bus = testBus();
  const packager = new Packager(packagerOptions(bus, root));
  await packager.start();
  try {
    const media = (rung: string): string | undefined => packager.playlist('demo', `${rung}/index.m3u8`)?.body;
    const rungs = await encodeRungs(4);
    const startRun = (runId: string, segments: number): void => {
      const ref = { slug: 'demo', runId };
      bus.emit('transcode.run.started', { ...ref, ladder: ladder(), anchorWallClockMs: () => T0 });
      replay(packager, ref, rungs, { segments, end: true });
    };

    // Set before the show has a segment (the seller pinned at once): carried into the show.
    packager.setDateRange('demo', pin('1', T0 + 1_000));
    startRun('run1', 2);
    await waitFor('both segments', () => (media('360p')?.includes('-1.m4s') ? true : undefined));
    for (const rung of ['360p', '180p']) {
      assert.deepEqual(dateRangeLines(media(rung) ?? ''), [renderDateRange(pin('1', T0 + 1_000))], rung);
    }

    const before = packager.playlist('demo', '360p/index.m3u8');
    packager.setDateRange('demo', pin('1', T0 + 1_000, T0 + 3_000));
    await waitFor('END-DATE', () => (media('180p')?.includes('END-DATE') ? true : undefined));
    assert.notEqual(packager.playlist('demo', '360p/index.m3u8'), before, 'a new rendered playlist (new ETag)');
    assert.match(media('360p') ?? '', /END-DATE="2026-11-23T12:00:03.000Z"/);

    bus.emit('transcode.run.ended', { slug: 'demo', runId: 'run1', expected: true, reason: 'test' });
    bus.emit('stream.ended', { slug: 'demo', reason: 'window-expired' });
    await waitFor('ENDLIST', () => (media('360p')?.includes('#EXT-X-ENDLIST') ? true : undefined));

    startRun('run2', 1);
    await waitFor('the new show', () => (media('360p')?.includes('#EXT-X-ENDLIST') === false ? true : undefined));
    assert.deepEqual(dateRangeLines(media('360p') ?? ''), [], 'a new show starts without the closed range');
    bus.emit('transcode.run.ended', { slug: 'demo', runId: 'run2', expected: true, reason: 'test' });
  } finally {
    await packager.stop();
  }
});

test('setDateRange refuses an invalid range synchronously', () => {
  const packager = new Packager(packagerOptions(testBus(), path.join(tmpdir(), 'unused')));
  assert.throws(() => packager.setDateRange('demo', { ...pin('1', T0), attributes: { product: 'x' } }), /client attribute/);
});
