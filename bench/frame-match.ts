// Finds which recorded source frame a rendition's clip starts at, by picture content: the one alignment that works
// the same for every system, whatever each does to timestamps; pure.
import { median } from './stats.js';

/** Decoded frames as 8-bit luma pictures of one size (media-files.ts's fingerprints). */
export interface GrayVideo {
  width: number;
  height: number;
  frames: Uint8Array[];
}

export interface ClipLocation {
  /** Source frame index of the clip's frame 0, as most of its frames place it. */
  offset: number;
  /** Probe frames matched one by one, and how many of them gave exactly `offset`. */
  compared: number;
  agreeing: number;
  /** Median, over the probe frames, of the best mean absolute luma difference (0..255) and of the gap to the next
   * best source frame: a gap near 0 means the match is not sharp. */
  medianCost: number;
  medianMargin: number;
}

export interface LocateOptions {
  source: GrayVideo;
  probe: GrayVideo;
  /** Probe frames matched (fewer if the probe is shorter); odd, so the median offset is a frame index. */
  probeFrames: number;
  /** Last source frame that can be shown (it had been published when the clip was fetched); default: all. */
  lastSourceFrame?: number;
}

/**
 * Matches each of the first probe frames to its closest source frame on its own, then takes the median of
 * (source index − probe index). Frame by frame, a repeated or dropped frame costs one vote rather than the match.
 */
export function locateClip({ source, probe, probeFrames, lastSourceFrame }: LocateOptions): ClipLocation | null {
  if (source.width !== probe.width || source.height !== probe.height) {
    throw new Error(`frame sizes differ: source ${source.width}x${source.height}, probe ${probe.width}x${probe.height}`);
  }
  const candidates = source.frames.slice(0, lastSourceFrame === undefined ? undefined : lastSourceFrame + 1);
  const count = Math.min(probeFrames, probe.frames.length);
  if (count === 0 || candidates.length < 2) return null;
  const matches = probe.frames.slice(0, count).map((frame, i) => ({ ...closestFrame(candidates, frame), i }));
  const offset = Math.round(median(matches.map((m) => m.index - m.i)));
  return {
    offset,
    compared: count,
    agreeing: matches.filter((m) => m.index - m.i === offset).length,
    medianCost: median(matches.map((m) => m.cost)),
    medianMargin: median(matches.map((m) => m.runnerUpCost - m.cost)),
  };
}

interface Closest {
  index: number;
  cost: number;
  runnerUpCost: number;
}

function closestFrame(candidates: readonly Uint8Array[], frame: Uint8Array): Closest {
  let best = { index: -1, sum: Infinity };
  let runnerUp = Infinity;
  candidates.forEach((candidate, index) => {
    // Gives up on a candidate as soon as it cannot beat the runner-up.
    const sum = absDiff(candidate, frame, runnerUp);
    if (sum < best.sum) {
      runnerUp = best.sum;
      best = { index, sum };
    } else if (sum < runnerUp) {
      runnerUp = sum;
    }
  });
  return { index: best.index, cost: best.sum / frame.length, runnerUpCost: runnerUp / frame.length };
}

/** Sum of absolute differences, or a value ≥ `limit` once it is known to reach it. */
function absDiff(a: Uint8Array, b: Uint8Array, limit: number): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    sum += Math.abs((a[i] as number) - (b[i] as number));
    if ((i & 1023) === 1023 && sum >= limit) return sum;
  }
  return sum;
}
