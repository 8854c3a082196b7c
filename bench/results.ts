// Writes a benchmark's results: bench/results/<timestamp>.json (everything, samples included) and .svg (the chart).
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Settings, SystemName, SystemRun } from './model.js';
import { distributions, type Report } from './report.js';
import { renderChart } from './svg-chart.js';
import type { Versions } from './versions.js';

const RESULTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');

export interface ResultsFile {
  mode: Settings['mode'];
  settings: Settings;
  startedAt: string;
  finishedAt: string;
  versions: Versions;
  systems: SystemName[];
  /** What was not measured, and why. */
  skipped: string[];
  ratios: Report['ratios'];
  verdicts: Report['verdicts'];
  figures: Report['figures'];
  /** What each system reported about itself while live, per round. */
  systemInfo: Partial<Record<SystemName, Array<Record<string, unknown>>>>;
  runs: SystemRun[];
}

/** Written through a .tmp file, so a results file is never half-written. */
async function writeAtomically(file: string, content: string): Promise<void> {
  await writeFile(`${file}.tmp`, content);
  await rename(`${file}.tmp`, file);
}

export async function writeResults(results: ResultsFile): Promise<{ json: string; svg: string }> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const stamp = results.startedAt.replace(/[:.]/g, '-');
  const json = path.join(RESULTS_DIR, `${stamp}.json`);
  const svg = path.join(RESULTS_DIR, `${stamp}.svg`);
  const { delay, latency } = distributions(results.runs, results.systems);
  const chart = renderChart({
    title: `shopcast bench, ${results.mode}, ${results.startedAt}`,
    panels: [
      { title: 'Live-edge delay, top rung', unit: 's', series: delay },
      {
        title: 'Glass to glass, picture clock (hls.js, product page settings; shopcast low-latency)',
        unit: 's',
        series: latency,
        ...(results.settings.playerS === null ? { note: 'not measured: --quick skips the player (add --player)' } : {}),
      },
    ],
  });
  await writeAtomically(json, `${JSON.stringify(results, null, 1)}\n`);
  await writeAtomically(svg, chart);
  return { json, svg };
}
