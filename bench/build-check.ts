// shopcast runs from its build (dist/, as `npm start` and the e2e helper do): a bench must not measure, and label
// with the current commit, a build older than the sources.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../test/e2e/helpers/shopcast.js';

export interface BuiltSource {
  /** Source path relative to src/. */
  source: string;
  sourceMtimeMs: number;
  /** Its compiled file's modification time, null if there is none. */
  outputMtimeMs: number | null;
}

/** Sources whose compiled file is missing or older than they are; pure. */
export function staleSources(files: readonly BuiltSource[]): string[] {
  return files.filter((f) => f.outputMtimeMs === null || f.outputMtimeMs < f.sourceMtimeMs).map((f) => f.source);
}

function mtimeOrNull(file: string): number | null {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

/** Throws, saying what to run, unless every src/**.ts has an up-to-date dist/**.js; returns the build's time. */
export function assertFreshBuild(): string {
  const src = path.join(ROOT, 'src');
  const dist = path.join(ROOT, 'dist');
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((source) => ({
      source,
      sourceMtimeMs: statSync(path.join(src, source)).mtimeMs,
      outputMtimeMs: mtimeOrNull(path.join(dist, source.replace(/\.ts$/, '.js'))),
    }));
  const stale = staleSources(files);
  if (stale.length > 0) {
    throw new Error(
      `dist/ is older than src/ (${stale.slice(0, 5).join(', ')}${stale.length > 5 ? ', ...' : ''}): ` +
        'run `npm run build` first (`npm run bench` does)',
    );
  }
  return new Date(Math.max(...files.map((f) => f.outputMtimeMs ?? 0))).toISOString();
}
