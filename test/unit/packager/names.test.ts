import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MEDIA_FILE_NAME,
  initFileName,
  mediaPlaylistName,
  nextShowId,
  rungOfMediaPlaylist,
  segmentFileName,
} from '../../../src/packager/names.js';

test('show ids are base 36 of the start time and grow even when the clock steps back', () => {
  const first = nextShowId(Date.UTC(2026, 10, 23), undefined);
  assert.equal(first, Date.UTC(2026, 10, 23).toString(36));
  assert.match(first, /^[a-z0-9]+$/);
  const second = nextShowId(Date.UTC(2026, 10, 22), first);
  assert.equal(Number.parseInt(second, 36), Date.UTC(2026, 10, 23) + 1);
});

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
