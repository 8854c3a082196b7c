// Each reliability test leaves its figures in test-output/reliability/<name>.json: the README's figures come from them.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OUTPUT_DIR } from '../../e2e/helpers/shopcast.js';

export const RELIABILITY_OUTPUT = path.join(OUTPUT_DIR, 'reliability');

export function recordFigures(name: string, figures: Record<string, unknown>): string {
  mkdirSync(RELIABILITY_OUTPUT, { recursive: true });
  const file = path.join(RELIABILITY_OUTPUT, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), ...figures }, null, 2)}\n`);
  return file;
}
