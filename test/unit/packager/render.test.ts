import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse, setOptions, type types } from 'hls-parser';
import { playlistMaxAgeS, renderMasterPlaylist, renderMediaPlaylist } from '../../../src/packager/render.js';
import { Show } from '../../../src/packager/show.js';
import { ladder, rung } from './fixtures.js';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0, 0);

/** Parses with hls-parser in strict mode: any RFC violation it knows of throws. */
function strictParse(text: string): types.MasterPlaylist | types.MediaPlaylist {
  setOptions({ strictMode: true });
  try {
    return parse(text);
  } finally {
    setOptions({ strictMode: false });
  }
}

function strictMedia(text: string): types.MediaPlaylist {
  const playlist = strictParse(text);
  assert.equal(playlist.isMasterPlaylist, false);
  return playlist as types.MediaPlaylist;
}

/** A show of two runs: run 0 from T0 (2 s, 2 s), run 1 from T0 + 10 s (2 s, 1.5 s). */
function twoRunShow(windowSegments: number): Show {
  const show = new Show({ showId: 'mf3k2a', rungs: ladder().rungs, windowSegments, segmentDurationS: 2 });
  const first = show.beginRun();
  show.append({ runIndex: first, durationS: 2, programDateTimeMs: T0, publishedAtMs: 0 });
  show.append({ runIndex: first, durationS: 2, programDateTimeMs: T0 + 2_000, publishedAtMs: 0 });
  const second = show.beginRun();
  show.append({ runIndex: second, durationS: 2, programDateTimeMs: T0 + 10_000, publishedAtMs: 0 });
  show.append({ runIndex: second, durationS: 1.5, programDateTimeMs: T0 + 12_000, publishedAtMs: 0 });
  return show;
}

test('media playlist: header, MAP, PDT and EXTINF per segment, DISCONTINUITY and a new MAP for the second run', () => {
  assert.equal(
    renderMediaPlaylist(twoRunShow(6)),
    [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-TARGETDURATION:2',
      '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXT-X-DISCONTINUITY-SEQUENCE:0',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-MAP:URI="mf3k2a-init0.mp4"',
      '#EXT-X-PROGRAM-DATE-TIME:2026-11-23T12:00:00.000Z',
      '#EXTINF:2.000,',
      'mf3k2a-0.m4s',
      '#EXT-X-PROGRAM-DATE-TIME:2026-11-23T12:00:02.000Z',
      '#EXTINF:2.000,',
      'mf3k2a-1.m4s',
      '#EXT-X-DISCONTINUITY',
      '#EXT-X-MAP:URI="mf3k2a-init1.mp4"',
      '#EXT-X-PROGRAM-DATE-TIME:2026-11-23T12:00:10.000Z',
      '#EXTINF:2.000,',
      'mf3k2a-2.m4s',
      '#EXT-X-PROGRAM-DATE-TIME:2026-11-23T12:00:12.000Z',
      '#EXTINF:1.500,',
      'mf3k2a-3.m4s',
      '',
    ].join('\n'),
  );
});

test('media playlist is valid for hls-parser: sequence numbers, discontinuity sequences, maps and dates', () => {
  const playlist = strictMedia(renderMediaPlaylist(twoRunShow(6)));
  assert.equal(playlist.version, 7);
  assert.equal(playlist.independentSegments, true);
  assert.equal(playlist.endlist, false);
  assert.deepEqual(
    playlist.segments.map((s) => [
      s.mediaSequenceNumber,
      s.discontinuitySequence,
      s.map.uri,
      s.programDateTime?.getTime(),
    ]),
    [
      [0, 0, 'mf3k2a-init0.mp4', T0],
      [1, 0, 'mf3k2a-init0.mp4', T0 + 2_000],
      [2, 1, 'mf3k2a-init1.mp4', T0 + 10_000],
      [3, 1, 'mf3k2a-init1.mp4', T0 + 12_000],
    ],
  );
});

test('a sliding window keeps its length, and discontinuities that slid out move the discontinuity sequence', () => {
  const show = twoRunShow(2);
  const text = renderMediaPlaylist(show);
  const playlist = strictMedia(text);
  assert.equal(playlist.mediaSequenceBase, 2);
  assert.equal(playlist.discontinuitySequenceBase, 0);
  assert.deepEqual(
    playlist.segments.map((s) => [s.uri, s.discontinuitySequence]),
    [['mf3k2a-2.m4s', 1], ['mf3k2a-3.m4s', 1]],
  );
  // The window starts at the discontinuity: the tag stays, and the top MAP is the second run's.
  assert.ok(
    text.includes(
      '#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="mf3k2a-init1.mp4"\n#EXT-X-PROGRAM-DATE-TIME',
    ),
  );
  show.append({ runIndex: 1, durationS: 2, programDateTimeMs: T0 + 13_500, publishedAtMs: 0 });
  const slid = strictMedia(renderMediaPlaylist(show));
  assert.equal(slid.mediaSequenceBase, 3);
  assert.equal(slid.discontinuitySequenceBase, 1);
  assert.equal(slid.segments.length, 2);
  assert.deepEqual(slid.segments.map((s) => s.discontinuitySequence), [1, 1]);
});

test('target duration in the playlist covers every rounded EXTINF', () => {
  const show = new Show({ showId: 'a', rungs: ladder().rungs, windowSegments: 6, segmentDurationS: 2 });
  const run = show.beginRun();
  for (const durationS of [2, 2.6, 1.2]) {
    show.append({ runIndex: run, durationS, programDateTimeMs: T0, publishedAtMs: 0 });
  }
  const playlist = strictMedia(renderMediaPlaylist(show));
  assert.equal(playlist.targetDuration, 3);
  assert.deepEqual(playlist.segments.map((s) => s.duration), [2, 2.6, 1.2]);
});

test('an ended show ends its playlist with ENDLIST and keeps its window', () => {
  const show = twoRunShow(3);
  show.end();
  const text = renderMediaPlaylist(show);
  assert.ok(text.endsWith('mf3k2a-3.m4s\n#EXT-X-ENDLIST\n'));
  const playlist = strictMedia(text);
  assert.equal(playlist.endlist, true);
  assert.deepEqual(playlist.segments.map((s) => s.mediaSequenceNumber), [1, 2, 3]);
});

test('a recorded show is a VOD playlist: its type said, every segment listed, ENDLIST', () => {
  const show = twoRunShow(3);
  show.end();
  const playlist = strictMedia(renderMediaPlaylist(show, undefined, { vod: true }));
  assert.equal(playlist.playlistType, 'VOD');
  assert.equal(playlist.endlist, true);
  assert.doesNotMatch(renderMediaPlaylist(show), /PLAYLIST-TYPE/, 'a live playlist has no type');
});

test('master playlist: one variant per rung, highest first, with every attribute', () => {
  const rungs = [rung('180p', 320, 180, 300), rung('720p', 1280, 720, 2500)];
  const text = renderMasterPlaylist(rungs);
  assert.equal(
    text,
    [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-STREAM-INF:BANDWIDTH=2890800,AVERAGE-BANDWIDTH=2628000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=30.000',
      '720p/index.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=470800,AVERAGE-BANDWIDTH=428000,RESOLUTION=320x180,CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=30.000',
      '180p/index.m3u8',
      '',
    ].join('\n'),
  );
  const master = strictParse(text) as types.MasterPlaylist;
  assert.deepEqual(
    master.variants.map((v) => [v.uri, v.bandwidth, v.averageBandwidth, v.resolution, v.codecs, v.frameRate]),
    [
      ['720p/index.m3u8', 2890800, 2628000, { width: 1280, height: 720 }, 'avc1.64001f,mp4a.40.2', 30],
      ['180p/index.m3u8', 470800, 428000, { width: 320, height: 180 }, 'avc1.64001f,mp4a.40.2', 30],
    ],
  );
});

test('frame rate keeps three decimals', () => {
  const ntsc = { ...rung('480p', 854, 480, 1200), fps: 30000 / 1001 };
  assert.match(renderMasterPlaylist([ntsc]), /FRAME-RATE=29\.970\n/);
});

test('playlists may be cached half a target duration, at least a second', () => {
  assert.equal(playlistMaxAgeS(2), 1);
  assert.equal(playlistMaxAgeS(1), 1);
  assert.equal(playlistMaxAgeS(6), 3);
  assert.equal(playlistMaxAgeS(5), 2);
});
