import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { locateClip, type GrayVideo } from '../../../bench/frame-match.js';

const SIZE = 16;

/** A picture unlike every other frame's; `noise` adds ±1 coding noise. */
function frame(n: number, noise = false): Uint8Array {
  const pixels = new Uint8Array(SIZE);
  for (let i = 0; i < SIZE; i++) pixels[i] = 2 + ((n * 31 + i * 17) % 251) + (noise ? (i % 3) - 1 : 0);
  return pixels;
}

const video = (frames: Uint8Array[]): GrayVideo => ({ width: SIZE, height: 1, frames });
const source = video(Array.from({ length: 100 }, (_, n) => frame(n)));

describe('locateClip', () => {
  it('finds the source frame a clip starts at, frame by frame', () => {
    const probe = video(Array.from({ length: 20 }, (_, i) => frame(40 + i, true)));
    const located = locateClip({ source, probe, probeFrames: 15 });
    assert.equal(located?.offset, 40);
    assert.equal(located?.compared, 15);
    assert.equal(located?.agreeing, 15);
    assert.ok((located?.medianMargin ?? 0) > 0);
  });

  it('outvotes a repeated first frame', () => {
    const frames = [frame(40), ...Array.from({ length: 14 }, (_, i) => frame(40 + i))];
    const located = locateClip({ source, probe: video(frames), probeFrames: 15 });
    assert.equal(located?.offset, 39);
    assert.equal(located?.agreeing, 14);
  });

  it('only considers frames published before the clip was seen', () => {
    const probe = video([frame(70)]);
    assert.equal(locateClip({ source, probe, probeFrames: 1 })?.offset, 70);
    assert.notEqual(locateClip({ source, probe, probeFrames: 1, lastSourceFrame: 60 })?.offset, 70);
  });

  it('needs frames of one size, and something to compare', () => {
    assert.throws(() => locateClip({ source, probe: { width: 4, height: 4, frames: [] }, probeFrames: 1 }), /sizes differ/);
    assert.equal(locateClip({ source, probe: video([]), probeFrames: 15 }), null);
  });
});
