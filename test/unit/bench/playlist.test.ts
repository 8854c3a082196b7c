import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newestContinuous, readPlaylist, topVariant, type PlaylistSegment } from '../../../bench/playlist.js';

// As shopcast and nginx-rtmp 1.2.2 wrote them during a bench run.
const SHOPCAST_MASTER = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-STREAM-INF:BANDWIDTH=3497175,AVERAGE-BANDWIDTH=2646070,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=30.000
source/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=1024100,AVERAGE-BANDWIDTH=883740,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2",FRAME-RATE=30.000
360p/index.m3u8
`;
const SHOPCAST_MEDIA = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:4
#EXT-X-DISCONTINUITY-SEQUENCE:0
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MAP:URI="mwyr648f-init0.mp4"
#EXT-X-PROGRAM-DATE-TIME:2026-11-27T09:02:17.885Z
#EXTINF:2.000,
mwyr648f-4.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-11-27T09:02:19.885Z
#EXTINF:2.033,
mwyr648f-5.m4s
#EXT-X-DISCONTINUITY
#EXT-X-MAP:URI="mwyr648f-init1.mp4"
#EXT-X-PROGRAM-DATE-TIME:2026-11-27T09:02:31.000Z
#EXTINF:1.967,
mwyr648f-6.m4s
`;
const NGINX_MEDIA = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-MEDIA-SEQUENCE:1
#EXT-X-TARGETDURATION:2
#EXTINF:2.000,
stream_hi-1.ts
#EXTINF:1.566,
stream_hi-2.ts
`;

// The end of a shopcast LL-HLS playlist: parts of the last whole segment, of the open one, and a preload hint.
const SHOPCAST_PARTS = `#EXTM3U
#EXT-X-VERSION:9
#EXT-X-TARGETDURATION:2
#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.1
#EXT-X-PART-INF:PART-TARGET=0.367
#EXT-X-MEDIA-SEQUENCE:7
#EXT-X-MAP:URI="mwyr648f-init0.mp4"
#EXT-X-PART:DURATION=1.0,URI="mwyr648f-7.0.m4s",INDEPENDENT=YES
#EXT-X-PART:DURATION=1.0,URI="mwyr648f-7.1.m4s"
#EXTINF:2.000,
mwyr648f-7.m4s
#EXT-X-PART:DURATION=0.333,URI="mwyr648f-8.0.m4s",INDEPENDENT=YES
#EXT-X-PART:DURATION=0.334,URI="mwyr648f-8.1.m4s"
#EXT-X-PRELOAD-HINT:TYPE=PART,URI="mwyr648f-8.2.m4s"
`;

describe('readPlaylist', () => {
  it('reads LL-HLS parts with their segment and where in it they end, without the preload hint', () => {
    const playlist = readPlaylist(SHOPCAST_PARTS, 'http://h:1/live/demo/source/index.m3u8');
    assert.equal(playlist.kind, 'media');
    const parts = playlist.kind === 'media' ? playlist.parts : [];
    assert.deepEqual(
      parts.map((p) => [p.msn, p.url.split('/').pop(), Number(p.endOffsetS.toFixed(3))]),
      [
        [7, 'mwyr648f-7.0.m4s', 1],
        [7, 'mwyr648f-7.1.m4s', 2],
        [8, 'mwyr648f-8.0.m4s', 0.333],
        [8, 'mwyr648f-8.1.m4s', 0.667],
      ],
    );
    assert.deepEqual(playlist.kind === 'media' && playlist.segments.map((s) => s.msn), [7], 'the open segment is no segment yet');
  });

  it('reads a master playlist into absolute variant URLs with sizes', () => {
    const playlist = readPlaylist(SHOPCAST_MASTER, 'http://h:1/live/demo/master.m3u8');
    assert.equal(playlist.kind, 'master');
    assert.deepEqual(playlist.kind === 'master' && playlist.variants, [
      { url: 'http://h:1/live/demo/source/index.m3u8', width: 1280, height: 720, bandwidth: 3497175 },
      { url: 'http://h:1/live/demo/360p/index.m3u8', width: 640, height: 360, bandwidth: 1024100 },
    ]);
  });

  it('reads fMP4 segments with their init section, PDT and discontinuities', () => {
    const playlist = readPlaylist(SHOPCAST_MEDIA, 'http://h:1/live/demo/source/index.m3u8');
    assert.equal(playlist.kind, 'media');
    const segments = playlist.kind === 'media' ? playlist.segments : [];
    assert.deepEqual(
      segments.map((s) => [s.msn, s.url.split('/').pop(), s.mapUrl?.split('/').pop(), s.durationS, s.discontinuity]),
      [
        [4, 'mwyr648f-4.m4s', 'mwyr648f-init0.mp4', 2, false],
        [5, 'mwyr648f-5.m4s', 'mwyr648f-init0.mp4', 2.033, false],
        [6, 'mwyr648f-6.m4s', 'mwyr648f-init1.mp4', 1.967, true],
      ],
    );
    assert.equal(segments[0]?.programDateTimeMs, Date.parse('2026-11-27T09:02:17.885Z'));
  });

  it('reads MPEG-TS segments without init section or PDT', () => {
    const playlist = readPlaylist(NGINX_MEDIA, 'http://h:2/hls/stream_hi.m3u8');
    const segments = playlist.kind === 'media' ? playlist.segments : [];
    assert.deepEqual(segments[1], {
      msn: 2,
      url: 'http://h:2/hls/stream_hi-2.ts',
      mapUrl: null,
      durationS: 1.566,
      discontinuity: false,
      programDateTimeMs: null,
    });
  });
});

describe('topVariant', () => {
  it('picks the most pixels, then the most bits', () => {
    const v = (height: number, bandwidth: number) => ({ url: `${height}-${bandwidth}`, width: (height * 16) / 9, height, bandwidth });
    assert.equal(topVariant([v(360, 1), v(720, 2), v(720, 3), v(480, 9)])?.url, '720-3');
    assert.equal(topVariant([]), undefined);
  });
});

describe('newestContinuous', () => {
  const seg = (msn: number, discontinuity = false): PlaylistSegment => ({
    msn,
    url: `s${msn}`,
    mapUrl: null,
    durationS: 2,
    discontinuity,
    programDateTimeMs: null,
  });

  it('takes the newest segments, stopping at a discontinuity', () => {
    assert.deepEqual(newestContinuous([seg(1), seg(2), seg(3), seg(4)], 3).map((s) => s.msn), [2, 3, 4]);
    assert.deepEqual(newestContinuous([seg(1), seg(2), seg(3, true), seg(4)], 3).map((s) => s.msn), [3, 4]);
    assert.deepEqual(newestContinuous([seg(1)], 3).map((s) => s.msn), [1]);
  });
});
