import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DASH_MANIFEST,
  MEDIA_FILE_NAME,
  VOD_PREFIX,
  livePosterUrl,
  pinImageUrl,
  replayUrls,
  dashInitFileName,
  dashManifestUrl,
  dashMediaTemplate,
  dashSegmentFileName,
  parseDashFileName,
  parsePartFileName,
  initFileName,
  masterPlaylistUrl,
  mediaFileContentType,
  mediaPlaylistName,
  parseMediaPath,
  playlistContentType,
  rungOfMediaPlaylist,
  segmentFileName,
} from '../../src/media-names.js';

test('published names match what the origin accepts', () => {
  assert.equal(segmentFileName('mf3k2a', 12), 'mf3k2a-12.m4s');
  assert.equal(initFileName('mf3k2a', 1), 'mf3k2a-init1.mp4');
  assert.match(segmentFileName('mf3k2a', 12), MEDIA_FILE_NAME);
  assert.match(initFileName('mf3k2a', 1), MEDIA_FILE_NAME);
  for (const bad of ['seg1.m4s', '../mf3k2a-1.m4s', 'mf3k2a-1.m4s.tmp', 'mf3k2a-init.mp4', 'MF-1.m4s']) {
    assert.doesNotMatch(bad, MEDIA_FILE_NAME);
  }
});

test('media playlist names round-trip to their rung', () => {
  assert.equal(mediaPlaylistName('720p'), '720p/index.m3u8');
  assert.equal(rungOfMediaPlaylist('720p/index.m3u8'), '720p');
  assert.equal(rungOfMediaPlaylist('master.m3u8'), undefined);
  assert.equal(rungOfMediaPlaylist('../720p/index.m3u8'), undefined);
});

test('the URLs the packager publishes parse back to what they name', () => {
  const master = masterPlaylistUrl('demo');
  assert.equal(master, '/live/demo/master.m3u8');
  assert.deepEqual(parseMediaPath(master), { kind: 'playlist', slug: 'demo', name: 'master.m3u8' });
  assert.deepEqual(parseMediaPath(`/live/demo/${mediaPlaylistName('360p')}`), { kind: 'playlist', slug: 'demo', name: '360p/index.m3u8' });
  const file = segmentFileName('mf3k2a', 7);
  assert.deepEqual(parseMediaPath(`/live/demo/360p/${file}`), { kind: 'file', slug: 'demo', rung: '360p', file });
  assert.equal(mediaFileContentType(file), 'video/iso.segment');
  assert.equal(mediaFileContentType(initFileName('mf3k2a', 0)), 'video/mp4');
  const manifest = dashManifestUrl('demo');
  assert.deepEqual(parseMediaPath(manifest), { kind: 'playlist', slug: 'demo', name: DASH_MANIFEST });
  assert.equal(playlistContentType(DASH_MANIFEST), 'application/dash+xml');
  assert.equal(playlistContentType('360p/index.m3u8'), 'application/vnd.apple.mpegurl');
  const track = dashSegmentFileName('mf3k2a', 7, 'a');
  assert.deepEqual(parseMediaPath(`/live/demo/360p/${track}`), {
    kind: 'track',
    slug: 'demo',
    rung: '360p',
    file: track,
    track: { kind: 'segment', showId: 'mf3k2a', msn: 7, track: 'a', source: file },
  });
  assert.equal(mediaFileContentType(track), 'video/iso.segment');
  assert.equal(mediaFileContentType(dashInitFileName('mf3k2a', 0, 'v')), 'video/mp4');
});

test('a malformed name is a bad request, a well-formed path that names nothing is not found', () => {
  const cases: Array<[string, ReturnType<typeof parseMediaPath>]> = [
    ['/live/Demo/master.m3u8', { invalid: 'slug' }],
    ['/live/%2e%2e/master.m3u8', { invalid: 'slug' }],
    ['/live/demo/..%2f/index.m3u8', { invalid: 'rung' }],
    ['/live/demo/360p/..%2fsecret', { invalid: 'file' }],
    ['/live/demo/360p/mf3k2a-1.m4s.tmp', { invalid: 'file' }],
    ['/live/demo/a23456789012345678/index.m3u8', { invalid: 'rung' }],
    ['/live/demo/', { notFound: true }],
    ['/live/demo/playlist.m3u8', { notFound: true }],
    ['/live/demo/manifest.mpd.bak', { notFound: true }],
    ['/live/demo/360p/mf3k2a-7.x.m4s', { invalid: 'file' }],
    ['/live/demo/360p/x/y', { notFound: true }],
    ['/live/', { notFound: true }],
    ['/other/demo/master.m3u8', { notFound: true }],
  ];
  for (const [path, expected] of cases) assert.deepEqual(parseMediaPath(path), expected, path);
});

test('DASH track files name the muxed file they are cut from, and no HLS name', () => {
  assert.equal(dashInitFileName('mf3k2a', 1, 'v'), 'mf3k2a-init1.v.mp4');
  assert.equal(dashSegmentFileName('mf3k2a', 12, 'a'), 'mf3k2a-12.a.m4s');
  assert.equal(dashMediaTemplate('mf3k2a', 'v'), 'mf3k2a-$Number$.v.m4s');
  assert.equal(dashManifestUrl('demo'), `/live/demo/${DASH_MANIFEST}`);
  assert.deepEqual(parseDashFileName('mf3k2a-init1.v.mp4'), { kind: 'init', showId: 'mf3k2a', run: 1, track: 'v', source: 'mf3k2a-init1.mp4' });
  assert.deepEqual(parseDashFileName('mf3k2a-12.a.m4s'), { kind: 'segment', showId: 'mf3k2a', msn: 12, track: 'a', source: 'mf3k2a-12.m4s' });
  for (const name of [dashInitFileName('mf3k2a', 1, 'v'), dashSegmentFileName('mf3k2a', 12, 'a')]) {
    assert.doesNotMatch(name, MEDIA_FILE_NAME);
    assert.equal(parsePartFileName(name), undefined);
  }
  for (const bad of ['mf3k2a-12.x.m4s', 'mf3k2a-12.v.mp4', 'mf3k2a-init1.a.m4s', 'mf3k2a-12.m4s', '../mf3k2a-1.v.m4s', 'mf3k2a-1.v.m4s.tmp']) {
    assert.equal(parseDashFileName(bad), undefined, bad);
  }
});

test('a recorded show has the shapes of a live one under /vod, named by its show id, plus its pictures', () => {
  const show = '0b5c6a1e-8f1d-4c2e-9a77-3d2f4e5a6b7c';
  const pin = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';
  const urls = replayUrls(show);
  assert.deepEqual(urls, {
    pageUrl: `/replay/${show}`,
    hlsUrl: `/vod/${show}/master.m3u8`,
    dashUrl: `/vod/${show}/manifest.mpd`,
    posterUrl: `/vod/${show}/poster.jpg`,
  });
  assert.deepEqual(parseMediaPath(urls.hlsUrl, VOD_PREFIX), { kind: 'playlist', slug: show, name: 'master.m3u8' });
  assert.deepEqual(parseMediaPath(`/vod/${show}/180p/r-3.m4s`, VOD_PREFIX), { kind: 'file', slug: show, rung: '180p', file: 'r-3.m4s' });
  assert.deepEqual(parseMediaPath(urls.posterUrl, VOD_PREFIX), { kind: 'image', slug: show, name: 'poster.jpg' });
  assert.deepEqual(parseMediaPath(pinImageUrl(show, pin), VOD_PREFIX), { kind: 'image', slug: show, name: `pin-${pin}.jpg`, pinId: pin });
  assert.deepEqual(parseMediaPath(livePosterUrl('demo')), { kind: 'image', slug: 'demo', name: 'poster.jpg' });
  assert.deepEqual(parseMediaPath(`/live/demo/pin-${pin}.jpg`), { notFound: true }, 'pin pictures are a replay\'s');
  assert.deepEqual(parseMediaPath(urls.hlsUrl), { notFound: true }, '/vod is not /live');
  assert.deepEqual(parseMediaPath(`/vod/${show}/pin-${pin.toUpperCase()}.jpg`, VOD_PREFIX), { notFound: true });
  assert.deepEqual(parseMediaPath(`/vod/${show}/pin-../x.jpg`, VOD_PREFIX), { invalid: 'rung' });
});
