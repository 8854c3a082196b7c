// A seeded generator for hostile inputs: every run prints its seed, and SHOPCAST_FUZZ_SEED=<seed> replays it exactly.

export interface Rng {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** The seed of this run: SHOPCAST_FUZZ_SEED if set (to replay a failure), else a fresh one. */
export function fuzzSeed(): number {
  const fixed = process.env.SHOPCAST_FUZZ_SEED;
  if (fixed !== undefined && fixed !== '') {
    const seed = Number(fixed);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`SHOPCAST_FUZZ_SEED must be a 32-bit unsigned integer, got ${fixed}`);
    return seed;
  }
  return Math.floor(Math.random() * 0x100000000);
}

/** What a failing test prints so the run can be repeated. */
export function seedNote(seed: number): string {
  return `fuzz seed ${seed} (replay: SHOPCAST_FUZZ_SEED=${seed} npm run test:reliability)`;
}

/** mulberry32: tiny, fast, and good enough to spread test inputs; not for secrets. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x100000000;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    seed,
    next,
    int,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(items.length)]!;
    },
    chance: (p) => next() < p,
  };
}
