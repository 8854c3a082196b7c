import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listedFiles, MediaMirror } from '../../../src/origin/mediaMirror.js';

const media = (msns: number[]): { body: string; maxAgeS: number } => ({
  body: [
    '#EXTM3U',
    '#EXT-X-TARGETDURATION:2',
    '#EXT-X-MAP:URI="abc-init0.mp4"',
    ...msns.flatMap((msn) => ['#EXTINF:2.000,', `abc-${msn}.m4s`]),
    '',
  ].join('\n'),
  maxAgeS: 1,
});

function mirror(graceS = 30): { mirror: MediaMirror; clock: { now: number } } {
  const clock = { now: 1_000_000 };
  return { mirror: new MediaMirror({ mediaDir: '/srv/media', graceS, now: () => clock.now }), clock };
}

describe('MediaMirror', () => {
  it('reads the segment and init files a media playlist lists', () => {
    assert.deepEqual([...listedFiles(media([4, 5]).body)], ['abc-init0.mp4', 'abc-4.m4s', 'abc-5.m4s']);
  });

  it('serves the master and each rung\'s own media playlist', () => {
    const { mirror: m } = mirror();
    const master = { body: '#EXTM3U\n', maxAgeS: 1 };
    const playlist = media([1]);
    const source = media([1]);
    m.update({ slug: 'demo', master, media: { source, '360p': playlist }, rungs: ['source', '360p'] });
    assert.equal(m.playlist('demo', 'master.m3u8'), master);
    assert.equal(m.playlist('demo', '360p/index.m3u8'), playlist);
    assert.equal(m.playlist('demo', 'source/index.m3u8'), source);
    assert.equal(m.playlist('demo', '720p/index.m3u8'), undefined);
    assert.equal(m.playlist('other', 'master.m3u8'), undefined);
    m.update({ slug: 'demo', master: null, media: {}, rungs: [] });
    assert.equal(m.playlist('demo', 'master.m3u8'), undefined);
  });

  it('serves a segment while listed and for the grace period after it left, as the packager keeps the file', () => {
    const { mirror: m, clock } = mirror(30);
    m.update({ slug: 'demo', master: null, media: { '360p': media([1, 2]) }, rungs: ['360p'] });
    assert.equal(m.segmentPath('demo', '360p', 'abc-1.m4s'), '/srv/media/demo/360p/abc-1.m4s');
    assert.equal(m.segmentPath('demo', '360p', 'abc-init0.mp4'), '/srv/media/demo/360p/abc-init0.mp4');
    assert.equal(m.segmentPath('demo', '360p', 'abc-3.m4s'), undefined, 'not listed yet');
    clock.now += 2_000;
    m.update({ slug: 'demo', master: null, media: { '360p': media([2, 3]) }, rungs: ['360p'] });
    clock.now += 29_000;
    assert.ok(m.segmentPath('demo', '360p', 'abc-1.m4s'), 'within its grace');
    clock.now += 2_000;
    assert.equal(m.segmentPath('demo', '360p', 'abc-1.m4s'), undefined, 'grace over');
    assert.ok(m.segmentPath('demo', '360p', 'abc-3.m4s'), 'still listed, however long ago the update came');
  });

  it('refuses names that could leave the media folder', () => {
    const { mirror: m } = mirror();
    m.update({ slug: 'demo', master: null, media: { '360p': media([1]) }, rungs: ['360p'] });
    assert.equal(m.segmentPath('demo', '..', 'abc-1.m4s'), undefined);
    assert.equal(m.segmentPath('demo', '360p', '../abc-1.m4s'), undefined);
  });
});
