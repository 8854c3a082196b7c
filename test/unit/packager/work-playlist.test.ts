import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getOptions } from 'hls-parser';
import { parseWorkPlaylist } from '../../../src/packager/work-playlist.js';
import { ffmpegPlaylist } from './fixtures.js';

test('lists the finished segments with their position in the run, init file and duration', () => {
  const text = ffmpegPlaylist({ first: 0, durations: [2, 2, 0.833333], initFile: 'init_1.mp4' });
  assert.deepEqual(parseWorkPlaylist(text), [
    { index: 0, file: 'seg0.m4s', initFile: 'init_1.mp4', durationS: 2 },
    { index: 1, file: 'seg1.m4s', initFile: 'init_1.mp4', durationS: 2 },
    { index: 2, file: 'seg2.m4s', initFile: 'init_1.mp4', durationS: 0.833333 },
  ]);
});

test('indexes follow FFmpeg’s media sequence once its own window slides', () => {
  const segments = parseWorkPlaylist(ffmpegPlaylist({ first: 7, durations: [2, 2] }));
  assert.deepEqual(segments?.map((segment) => [segment.index, segment.file]), [[7, 'seg7.m4s'], [8, 'seg8.m4s']]);
});

test('a playlist caught mid-write lists only what is complete', () => {
  const full = ffmpegPlaylist({ first: 0, durations: [2, 2, 1.5] });
  // Cut inside the last file name, inside the last EXTINF, and inside the MAP line.
  const cutName = full.slice(0, full.lastIndexOf('seg2') + 3);
  const cutExtinf = full.slice(0, full.lastIndexOf('#EXTINF:1.5') + 9);
  const cutMap = full.slice(0, full.indexOf('init_0') + 3);
  assert.deepEqual(parseWorkPlaylist(cutName)?.map((segment) => segment.file), ['seg0.m4s', 'seg1.m4s']);
  assert.deepEqual(parseWorkPlaylist(cutExtinf)?.map((segment) => segment.file), ['seg0.m4s', 'seg1.m4s']);
  assert.deepEqual(parseWorkPlaylist(cutMap), []);
});

test('FFmpeg 4.1’s last playlist (ENDLIST without a newline) still lists every segment', () => {
  const text = ffmpegPlaylist({ first: 0, durations: [2, 1], ended: true }).trimEnd();
  assert.deepEqual(parseWorkPlaylist(text)?.map((segment) => segment.durationS), [2, 1]);
});

test('an empty or foreign file is not a listing', () => {
  assert.equal(parseWorkPlaylist(''), undefined);
  assert.equal(parseWorkPlaylist('hello\n'), undefined);
  assert.equal(parseWorkPlaylist('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\na/index.m3u8\n'), undefined);
});

test('file names that leave the work folder are ignored', () => {
  const text = ffmpegPlaylist({ first: 0, durations: [2, 2] }).replace('seg1.m4s', '../seg1.m4s');
  assert.deepEqual(parseWorkPlaylist(text)?.map((segment) => segment.file), ['seg0.m4s']);
  const badInit = ffmpegPlaylist({ first: 0, durations: [2], initFile: '/etc/passwd' });
  assert.deepEqual(parseWorkPlaylist(badInit), []);
});

test('hls-parser’s global options are left as they were', () => {
  const before = getOptions().strictMode;
  parseWorkPlaylist('not a playlist\n');
  parseWorkPlaylist(ffmpegPlaylist({ first: 0, durations: [2] }));
  assert.equal(getOptions().strictMode, before ?? false);
});
