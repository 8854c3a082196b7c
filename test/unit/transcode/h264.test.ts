import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { avcHighCodecString, h264HighLevel } from '../../../src/transcode/h264.js';

const codec = (width: number, height: number, fps: number, maxrateKbps = 1000): string =>
  avcHighCodecString(h264HighLevel({ width, height, fps, maxrateKbps }));

describe('h264HighLevel / avcHighCodecString', () => {
  it('gives the usual levels for common live sizes', () => {
    assert.equal(codec(1280, 720, 30), 'avc1.64001f'); // 3.1
    assert.equal(codec(1920, 1080, 30), 'avc1.640028'); // 4.0
    assert.equal(codec(640, 360, 30), 'avc1.64001e'); // 3.0
    assert.equal(codec(640, 480, 30), 'avc1.64001e'); // 3.0
    assert.equal(codec(1920, 1080, 60), 'avc1.64002a'); // 4.2
    assert.equal(codec(720, 1280, 30), 'avc1.64001f'); // portrait 720p: same macroblocks as landscape
  });

  it('follows Annex A exactly: 854x480 at 30 fps exceeds level 3.0 (40500 MB/s), at 25 fps it fits', () => {
    assert.equal(codec(854, 480, 30), 'avc1.64001f');
    assert.equal(codec(854, 480, 25), 'avc1.64001e');
  });

  it('moves up a level when the peak bitrate needs it', () => {
    assert.equal(codec(1280, 720, 30, 17_500), 'avc1.64001f');
    assert.equal(codec(1280, 720, 30, 17_600), 'avc1.640020');
  });

  it('names the level as libx264 takes it', () => {
    assert.deepEqual(h264HighLevel({ width: 1280, height: 720, fps: 30, maxrateKbps: 3300 }), { idc: 31, name: '3.1' });
  });
});
