// The persisted show state: a round trip gives back the same show, and anything inconsistent is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderMediaPlaylist } from '../../../src/packager/render.js';
import { Show } from '../../../src/packager/show.js';
import { lastActivityMs, parseChannelState, serialiseChannelState, type ChannelState } from '../../../src/packager/show-state.js';
import { ladder } from './fixtures.js';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0, 0);
const PIN = { id: 'pin-1', class: 'com.shopcast.pin', startMs: T0 + 1_000, attributes: { 'X-PRODUCT-ID': 'p1' } };

/** Two runs, a pin, fractional program date times (anchor plus media time, as published), one segment evicted. */
function liveShow(): Show {
  const show = new Show({ showId: 'mf3k2a', rungs: ladder().rungs, windowSegments: 3, segmentDurationS: 2 });
  show.setDateRange(PIN);
  const first = show.beginRun();
  show.append({ runIndex: first, durationS: 2, programDateTimeMs: T0 + 0.4, publishedAtMs: T0 + 2_100 });
  show.append({ runIndex: first, durationS: 2.002, programDateTimeMs: T0 + 2_000.4, publishedAtMs: T0 + 4_100 });
  const second = show.beginRun();
  show.append({ runIndex: second, durationS: 2, programDateTimeMs: T0 + 9_000, publishedAtMs: T0 + 11_100 });
  show.append({ runIndex: second, durationS: 1.5, programDateTimeMs: T0 + 11_000, publishedAtMs: T0 + 12_700 });
  return show;
}

function state(show: Show = liveShow()): ChannelState {
  return {
    slug: 'demo',
    ladder: ladder(),
    show: show.snapshot(),
    openRanges: [PIN],
    files: [
      { rung: '360p', file: 'mf3k2a-1.m4s', retiredAtMs: null },
      { rung: '360p', file: 'mf3k2a-0.m4s', retiredAtMs: T0 + 11_100 },
    ],
    openedAtMs: T0,
  };
}

test('a state read back is the state written, and the restored show renders the very same playlist', () => {
  const show = liveShow();
  const written = state(show);
  const read = parseChannelState(serialiseChannelState(written));
  assert.deepEqual(read, written);
  const restored = Show.restore(read.show, 3);
  assert.equal(renderMediaPlaylist(restored), renderMediaPlaylist(show));
  assert.match(renderMediaPlaylist(restored), /#EXT-X-DATERANGE:ID="pin-1"/);
  assert.equal(lastActivityMs(read), T0 + 12_700, 'the newest segment');
  assert.equal(lastActivityMs({ ...read, show: { ...read.show, segments: [] } }), T0, 'or the opening');
});

test('the next run of a restored show opens with a discontinuity, continues the numbering and takes a new init', () => {
  const restored = Show.restore(parseChannelState(serialiseChannelState(state())).show, 3);
  const run = restored.beginRun();
  assert.equal(run, 2, 'runs 0 and 1 had init segments of their own: their names are not reused');
  const { segment, evicted } = restored.append({ runIndex: run, durationS: 2, programDateTimeMs: T0 + 60_000, publishedAtMs: T0 + 62_000 });
  assert.deepEqual([segment.msn, segment.discontinuity], [4, true]);
  assert.equal(evicted?.msn, 1);
  assert.equal(restored.discontinuitySequence, 0);
  restored.append({ runIndex: run, durationS: 2, programDateTimeMs: T0 + 62_000, publishedAtMs: T0 + 64_000 });
  // The discontinuity of run 1 slid out of the window.
  assert.equal(restored.discontinuitySequence, 1);
  const playlist = renderMediaPlaylist(restored);
  assert.match(playlist, /#EXT-X-MEDIA-SEQUENCE:3\n/);
  assert.match(playlist, /#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="mf3k2a-init2.mp4"\n#EXT-X-PROGRAM-DATE-TIME:2026-11-23T12:01:00.000Z/);
});

test('an ended show stays ended: nothing more is appended, its playlist keeps ENDLIST', () => {
  const show = liveShow();
  show.end();
  const restored = Show.restore(parseChannelState(serialiseChannelState(state(show))).show, 3);
  assert.equal(restored.ended, true);
  assert.equal(restored.accepts(restored.beginRun()), false);
  assert.match(renderMediaPlaylist(restored), /#EXT-X-ENDLIST\n$/);
});

test('a state that is not JSON, of another version, or inconsistent is refused, saying why', () => {
  const good = JSON.parse(serialiseChannelState(state())) as Record<string, unknown> & { show: ChannelState['show'] };
  const variant = (change: (copy: typeof good) => void): string => {
    const copy = structuredClone(good);
    change(copy);
    return JSON.stringify(copy);
  };
  const refusals: [string, string, RegExp][] = [
    ['not JSON', '{"version":1,', /JSON/],
    ['another version', variant((s) => (s.version = 2)), /version/],
    ['a slug that is not a folder name', variant((s) => (s.slug = '../etc')), /slug/],
    ['a file outside its folder', variant((s) => ((s.files as { file: string }[])[0]!.file = '../../passwd')), /files/],
    ['a rung name unfit for a URL', variant((s) => (s.show.rungs[0]!.name = '360p/..')), /rungs/],
    ['a hole in the sequence numbers', variant((s) => (s.show.segments[1]!.msn = 5)), /does not follow/],
    ['a segment of a run that never began', variant((s) => (s.show.runCount = 1)), /run 1 of 1/],
    ['a next sequence number behind the segments', variant((s) => (s.show.nextMsn = 2)), /next sequence number/],
    ['a date range no playlist can carry', variant((s) => (s.show.dateRanges[0]!.attributes = { product: 'x' })), /client attribute/],
    ['a negative duration', variant((s) => (s.show.segments[0]!.durationS = -2)), /durationS/],
    ['a missing field', variant((s) => delete (s as Partial<typeof s>).ladder), /ladder/],
  ];
  for (const [what, text, reason] of refusals) {
    assert.throws(() => parseChannelState(text), reason, what);
  }
});
