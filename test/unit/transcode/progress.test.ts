import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyProgressLine, NO_PROGRESS, ProgressParser, type Progress } from '../../../src/transcode/progress.js';

const lines = (...l: string[]): string => `${l.join('\n')}\n`;
// As FFmpeg 5.1 prints them: before the first output, and at the end of a run.
const BLOCK_START = lines(
  ...['frame=0', 'fps=0.00', 'stream_0_0_q=0.0', 'bitrate=N/A', 'total_size=N/A', 'out_time_us=N/A'],
  ...['out_time_ms=N/A', 'out_time=N/A', 'dup_frames=0', 'drop_frames=0', 'speed=N/A', 'progress=continue'],
);
const BLOCK_RUNNING = lines(
  ...['frame=361', 'fps=55.06', 'stream_0_0_q=22.0', 'bitrate=N/A', 'total_size=N/A', 'out_time_us=12033333'],
  ...['out_time_ms=12033333', 'out_time=00:00:12.033333', 'dup_frames=3', 'drop_frames=0', 'speed=1.84x', 'progress=end'],
);

describe('ProgressParser', () => {
  it('reports one figure set per block, across arbitrary chunk boundaries', () => {
    const seen: Progress[] = [];
    const parser = new ProgressParser((p) => seen.push(p));
    const text = BLOCK_START + BLOCK_RUNNING;
    for (let i = 0; i < text.length; i += 7) parser.push(text.slice(i, i + 7));
    assert.deepEqual(seen, [
      { outTimeS: null, frame: 0, fps: 0, speed: null },
      { outTimeS: 12.033333, frame: 361, fps: 55.06, speed: 1.84 },
    ]);
  });
});

describe('applyProgressLine', () => {
  it('keeps the previous figure for N/A and ignores unknown keys', () => {
    const before: Progress = { outTimeS: 4, frame: 120, fps: 30, speed: 1.01 };
    assert.deepEqual(applyProgressLine(before, 'out_time_us', 'N/A'), before);
    assert.deepEqual(applyProgressLine(before, 'speed', 'N/A'), before);
    assert.deepEqual(applyProgressLine(before, 'bitrate', '100kbits/s'), before);
  });

  it('reads out_time_ms as microseconds (FFmpeg prints microseconds under both names)', () => {
    assert.equal(applyProgressLine(NO_PROGRESS, 'out_time_ms', '2500000').outTimeS, 2.5);
    assert.equal(applyProgressLine(NO_PROGRESS, 'out_time_us', '-9223372036854775807').outTimeS, null);
  });

  it('parses speed with or without the x', () => {
    assert.equal(applyProgressLine(NO_PROGRESS, 'speed', '0.98x').speed, 0.98);
    assert.equal(applyProgressLine(NO_PROGRESS, 'speed', '2').speed, 2);
  });
});
