import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { publishClockOriginMs } from '../../../bench/publish-clock.js';
import { recordingPublisherArgs } from '../../../bench/publisher.js';

describe('publishClockOriginMs', () => {
  it('takes the earliest wall − output time: reports are written after the media went out', () => {
    const reports = [
      { wallMs: 10_480, outTimeS: 0.1 },
      { wallMs: 10_620, outTimeS: 0.4 },
      { wallMs: 11_250, outTimeS: 1.0 },
    ];
    assert.equal(publishClockOriginMs(reports), 10_220);
    assert.equal(publishClockOriginMs([]), null);
  });
});

describe('recordingPublisherArgs', () => {
  it('keeps the e2e publisher encode and tees it to the RTMP URL and a recording', () => {
    const args = recordingPublisherArgs({ url: 'rtmp://h/live/k', recording: '/tmp/s.flv' });
    assert.deepEqual(args.slice(args.indexOf('-c:v'), args.indexOf('-c:v') + 4), ['-c:v', 'libx264', '-preset', 'veryfast']);
    assert.ok(args.includes('-re'));
    assert.deepEqual(args.slice(-9), [
      '-map',
      '0:v',
      '-map',
      '1:a',
      '-flags',
      '+global_header',
      '-f',
      'tee',
      '[f=flv:onfail=abort]rtmp://h/live/k|[f=flv]/tmp/s.flv',
    ]);
    assert.ok(args.join(' ').includes('-progress pipe:1 -stats_period 0.1'));
    assert.ok(!args.includes('flv'), 'no plain FLV output is left');
  });
});
