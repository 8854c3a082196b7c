// Summary statistics of benchmark samples, pure so the numbers the bench reports are themselves unit-tested.

/** Quantile `q` (0..1) with linear interpolation between order statistics (R's type 7, as numpy's default). */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) throw new RangeError('quantile of no samples');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} outside 0..1`);
  const sorted = [...samples].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lower = Math.floor(pos);
  const upper = Math.ceil(pos);
  const low = sorted[lower] as number;
  const high = sorted[upper] as number;
  return low + (high - low) * (pos - lower);
}

export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}

/** Median of the values that exist (figures a round could not measure are null), or null if none does. */
export function medianOfPresent(values: ReadonlyArray<number | null>): number | null {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return present.length > 0 ? median(present) : null;
}

/** Smallest of the values that exist, or null if none does. */
export function minOfPresent(values: ReadonlyArray<number | null>): number | null {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return present.length > 0 ? Math.min(...present) : null;
}

/** Largest of the values that exist, or null if none does. */
export function maxOfPresent(values: ReadonlyArray<number | null>): number | null {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return present.length > 0 ? Math.max(...present) : null;
}

export interface Summary {
  n: number;
  min: number;
  p5: number;
  p25: number;
  median: number;
  p75: number;
  p95: number;
  max: number;
  mean: number;
}

export function summarize(samples: readonly number[]): Summary | null {
  if (samples.length === 0) return null;
  const q = (p: number): number => quantile(samples, p);
  return {
    n: samples.length,
    min: Math.min(...samples),
    p5: q(0.05),
    p25: q(0.25),
    median: q(0.5),
    p75: q(0.75),
    p95: q(0.95),
    max: Math.max(...samples),
    mean: samples.reduce((sum, v) => sum + v, 0) / samples.length,
  };
}

export interface Point {
  x: number;
  y: number;
}

/**
 * Least-squares slope of y over x, or null with fewer than two distinct x. Used for rates such as media seconds per
 * wall second: a fit over many reports cancels the jitter of any two endpoints.
 */
export function slope(points: readonly Point[]): number | null {
  if (points.length < 2) return null;
  const meanX = points.reduce((s, p) => s + p.x, 0) / points.length;
  const meanY = points.reduce((s, p) => s + p.y, 0) / points.length;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.x - meanX) * (p.y - meanY);
    sxx += (p.x - meanX) ** 2;
  }
  return sxx === 0 ? null : sxy / sxx;
}
