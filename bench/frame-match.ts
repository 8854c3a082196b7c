// Finds which recorded source frame a rendition's clip starts at, by picture content: the one alignment that works
// the same for every system, whatever it does to timestamps; pure.

/** Decoded frames as 8-bit luma planes of one small size. */
export interface GrayVideo {
  width: number;
  height: number;
  frames: Uint8Array[];
}

export interface FrameMatch {
  /** Index of the source frame the probe's first frame matches. */
  offset: number;
  /** Mean absolute luma difference per pixel (0..255) over the compared frames. */
  cost: number;
  /** The best cost at any other offset: close to `cost` means the match is not sharp. */
  runnerUpCost: number | null;
  comparedFrames: number;
}

export interface MatchOptions {
  source: GrayVideo;
  probe: GrayVideo;
  /** Probe frames compared at each offset (fewer if the probe is shorter). */
  probeFrames: number;
}

/** The offset into `source` where the probe's first frames differ least, or null if the probe cannot fit anywhere. */
export function matchFrames({ source, probe, probeFrames }: MatchOptions): FrameMatch | null {
  if (source.width !== probe.width || source.height !== probe.height) {
    throw new Error(`frame sizes differ: source ${source.width}x${source.height}, probe ${probe.width}x${probe.height}`);
  }
  const count = Math.min(probeFrames, probe.frames.length);
  const lastOffset = source.frames.length - count;
  if (count === 0 || lastOffset < 0) return null;
  let best = { offset: -1, sum: Infinity };
  let runnerUp = Infinity;
  for (let offset = 0; offset <= lastOffset; offset++) {
    // Branch and bound: an offset is abandoned once it is worse than the runner-up.
    let sum = 0;
    for (let i = 0; i < count && sum < runnerUp; i++) {
      sum += absDiff(source.frames[offset + i] as Uint8Array, probe.frames[i] as Uint8Array);
    }
    if (sum < best.sum) {
      runnerUp = best.sum;
      best = { offset, sum };
    } else if (sum < runnerUp) {
      runnerUp = sum;
    }
  }
  const perPixel = (sum: number): number => sum / (count * source.width * source.height);
  return {
    offset: best.offset,
    cost: perPixel(best.sum),
    runnerUpCost: Number.isFinite(runnerUp) ? perPixel(runnerUp) : null,
    comparedFrames: count,
  };
}

function absDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] as number) - (b[i] as number));
  return sum;
}
