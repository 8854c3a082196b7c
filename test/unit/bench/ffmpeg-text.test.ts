import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lastStatsTimeS, parseSsimSummary, parseVersion } from '../../../bench/ffmpeg-text.js';

describe('parseSsimSummary', () => {
  it('reads the ssim filter summary FFmpeg 5.1 logs', () => {
    const stderr =
      'Output #0, null, to \'pipe:\':\n' +
      '[Parsed_ssim_6 @ 0x55d0c0e3a7c0] SSIM Y:0.970377 (15.283567) U:0.963444 (14.370011) V:0.970547 (15.309043) All:0.969250 (15.121542)\n';
    assert.deepEqual(parseSsimSummary(stderr), { y: 0.970377, u: 0.963444, v: 0.970547, all: 0.96925, allDb: 15.121542 });
  });

  it('reads identical pictures as infinite dB, and nothing as null', () => {
    const stderr = '[Parsed_ssim_6 @ 0x1] SSIM Y:1.000000 (inf) U:1.000000 (inf) V:1.000000 (inf) All:1.000000 (inf)\n';
    assert.equal(parseSsimSummary(stderr)?.allDb, Infinity);
    assert.equal(parseSsimSummary('no summary'), null);
  });
});

describe('lastStatsTimeS', () => {
  it('takes the last time= of carriage-return separated stats lines', () => {
    const log =
      'frame=  302 fps= 37 q=28.0 size=    3279kB time=00:00:11.56 bitrate=2323.4kbits/s speed=1.41x    \r' +
      'frame=  347 fps= 36 q=27.0 size=    3754kB time=01:02:13.07 bitrate=2351.6kbits/s speed=1.34x    \r';
    assert.equal(lastStatsTimeS(log), 3733.07);
    assert.equal(lastStatsTimeS('frame=1 time=-00:00:00.05 bitrate=N/A'), -0.05);
    assert.equal(lastStatsTimeS('Input #0, flv'), null);
  });
});

describe('parseVersion', () => {
  it('reads FFmpeg and nginx version lines', () => {
    assert.equal(parseVersion('ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026'), '5.1.9-0+deb12u1');
    assert.equal(parseVersion('nginx version: nginx/1.22.1\n'), '1.22.1');
    assert.equal(parseVersion(''), null);
  });
});
