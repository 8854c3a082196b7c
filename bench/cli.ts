// The bench's command line and the settings each mode stands for; pure.
import { parseArgs } from 'node:util';
import type { Settings } from './model.js';

export const USAGE = `Usage: npm run bench -- [--quick] [--player] [--keep]
  --quick   1 round, 30 s window, wrk 5 s, no player latency (about 7 minutes)
            (default: 3 rounds, 60 s window, wrk 10 s, player latency 30 s)
  --player  measure player latency in --quick mode too (adds about 40 s per system)
  --keep    keep the recordings, segments and nginx prefixes (path printed at the end)`;

export interface CliOptions {
  settings: Settings;
  keep: boolean;
  help: boolean;
}

export function parseCli(argv: readonly string[]): CliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      player: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const quick = values.quick === true;
  const settings: Settings = quick
    ? { mode: 'quick', rounds: 1, windowS: 30, wrkDurationS: 5, playerS: values.player ? 30 : null, qualitySegments: 2, pollMs: 50 }
    : { mode: 'full', rounds: 3, windowS: 60, wrkDurationS: 10, playerS: 30, qualitySegments: 3, pollMs: 50 };
  return { settings, keep: values.keep === true, help: values.help === true };
}

/** Systems in the order of a round: alternated (A B C, C B A, ...) so drift on a shared machine does not favour one. */
export function roundOrder<T>(systems: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...systems] : [...systems].reverse();
}
