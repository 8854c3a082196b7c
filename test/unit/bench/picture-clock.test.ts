// The picture clock read back as a player would: FFmpeg renders the publisher's picture, x264 squeezes it to the
// lowest rung's size and rate, and every decoded frame's squares spell its frame number.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { pictureClockGraph, pictureClockPoints, pictureLatencyS, readPictureClock } from '../../../bench/picture-clock.js';

const run = promisify(execFile);
const SOURCE = { width: 1280, height: 720, fps: 30 };

describe('picture clock', () => {
  it('spells bit k in square k, and trusts no square that is neither black nor white', () => {
    const lumas = (frame: number): number[] => Array.from({ length: 14 }, (_, k) => ((frame >> k) & 1 ? 230 : 20));
    assert.equal(readPictureClock(lumas(0)), 0);
    assert.equal(readPictureClock(lumas(45)), 45);
    assert.equal(readPictureClock(lumas(16_383)), 16_383);
    assert.equal(readPictureClock([...lumas(45).slice(0, 13), 128]), null, 'a grey square');
    assert.equal(readPictureClock(lumas(45).slice(1)), null, 'a square missing');
  });

  it('counts latency from when the publisher sent the frame', () => {
    assert.ok(Math.abs(pictureLatencyS(90, 10_000 + 3_000 + 1_200, 10_000, 30) - 1.2) < 1e-9);
  });

  it('reads every frame of the picture back at the lowest rung, after x264 at 150 kb/s', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'shopcast-clock-'));
    try {
      const encoded = path.join(dir, 'rung.mp4');
      const [width, height, frames] = [284, 160, 75];
      await run('ffmpeg', [
        ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', pictureClockGraph(SOURCE)],
        ...['-frames:v', String(frames), '-vf', `scale=${width}:${height}`, '-c:v', 'libx264', '-preset', 'veryfast'],
        ...['-b:v', '150k', '-g', '60', '-pix_fmt', 'yuv420p', '-y', encoded],
      ], { timeout: 60_000 });
      const { stdout } = await run(
        'ffmpeg',
        ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', encoded, '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'],
        { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024, timeout: 60_000 },
      );
      const points = pictureClockPoints(SOURCE);
      const read = Array.from({ length: stdout.length / (width * height) }, (_, frame) =>
        readPictureClock(points.map(({ x, y }) => stdout[frame * width * height + Math.floor(y * height) * width + Math.floor(x * width)]!)),
      );
      assert.deepEqual(read, Array.from({ length: frames }, (_, frame) => frame));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
