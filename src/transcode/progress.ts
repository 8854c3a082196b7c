// Reads FFmpeg's `-progress` key=value stream: how far the encode got and how fast, for the watchdog and stats.

export interface Progress {
  /** Output position in seconds; null until the first packet is written. */
  outTimeS: number | null;
  frame: number | null;
  fps: number | null;
  /** Encoding speed relative to real time (1 = keeping up). */
  speed: number | null;
}

export const NO_PROGRESS: Progress = { outTimeS: null, frame: null, fps: null, speed: null };

/**
 * Splits the stream into blocks ending with `progress=continue|end` and reports each block's figures.
 * Values FFmpeg prints as N/A (before output starts) keep the previous figure.
 */
export class ProgressParser {
  #pending = '';
  #block: Progress;

  constructor(private readonly onProgress: (progress: Progress) => void) {
    this.#block = { ...NO_PROGRESS };
  }

  push(chunk: string): void {
    const lines = (this.#pending + chunk).split('\n');
    this.#pending = lines.pop() ?? '';
    for (const line of lines) this.#line(line.trim());
  }

  #line(line: string): void {
    const eq = line.indexOf('=');
    if (eq < 0) return;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).trim();
    if (key === 'progress') {
      this.onProgress({ ...this.#block });
      return;
    }
    this.#block = applyProgressLine(this.#block, key, value);
  }
}

/** One `key=value` line applied to the figures so far (pure). */
export function applyProgressLine(progress: Progress, key: string, value: string): Progress {
  switch (key) {
    // out_time_ms is in microseconds too (a long-standing FFmpeg quirk); out_time_us is the honest name.
    case 'out_time_us':
    case 'out_time_ms': {
      const us = finite(value);
      return us === null || us < 0 ? progress : { ...progress, outTimeS: us / 1e6 };
    }
    case 'frame':
      return { ...progress, frame: finite(value) ?? progress.frame };
    case 'fps':
      return { ...progress, fps: finite(value) ?? progress.fps };
    case 'speed':
      return { ...progress, speed: finite(value.replace(/x$/, '')) ?? progress.speed };
    default:
      return progress;
  }
}

function finite(value: string): number | null {
  if (value === '' || value === 'N/A') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}
