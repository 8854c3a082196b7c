// `npm run bench [-- --quick]`: shopcast against the nginx-rtmp reference setups, one system at a time, rounds
// alternated; prints the table and writes bench/results/<timestamp>.json and .svg.
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from '../test/e2e/helpers/shopcast.js';
import { parseProfile, type Profile } from '../src/transcode/profile.js';
import { assertFreshBuild } from './build-check.js';
import { parseCli, roundOrder, USAGE, type CliOptions } from './cli.js';
import { servePlayerPage } from './measure/player-page.js';
import { SYSTEM_NAMES, type SystemName, type SystemRun } from './model.js';
import { cleanupAll, cleanupOnSignals, onCleanup } from './processes.js';
import { buildReport, renderTable } from './report.js';
import { writeResults, type ResultsFile } from './results.js';
import { runSystemOnce } from './system-run.js';
import { findTools } from './tools.js';
import { collectVersions } from './versions.js';

async function loadDefaultProfile(): Promise<Profile> {
  const file = path.join(ROOT, 'profiles', 'default.json');
  return parseProfile({ name: 'default', file, json: JSON.parse(await readFile(file, 'utf8')) });
}

/** A run that failed before it measured anything still appears in the results, with why. */
function failedRun(system: SystemName, round: number, error: string): SystemRun {
  return {
    system,
    round,
    t0: new Date().toISOString(),
    publisherLagS: null,
    ladder: [],
    startup: { masterS: null, firstSegmentS: null, threeSegmentsS: null, firstFrameS: null, perRung: [] },
    delay: null,
    resources: null,
    quality: null,
    http: null,
    player: null,
    dashPlayer: null,
    errors: [error],
  };
}

async function main({ settings, keep }: CliOptions): Promise<void> {
  const startedAt = new Date().toISOString();
  const shopcastBuild = assertFreshBuild();
  const tools = findTools();
  tools.notes.forEach((note) => console.error(`bench: ${note}`));
  const systems: SystemName[] = tools.nginx ? [...SYSTEM_NAMES] : ['shopcast'];
  const skipped: string[] = [];
  if (settings.playerS === null) skipped.push('player latency: skipped in --quick mode (add --player to measure it)');
  else if (!tools.chromium) skipped.push('player latency: skipped, Chromium is missing');
  if (!tools.wrk) skipped.push('HTTP throughput: skipped, wrk is missing');
  if (!tools.nginx) skipped.push('nginx-a and nginx-c: skipped, nginx or its RTMP module is missing');
  const profile = await loadDefaultProfile();
  const versions = collectVersions(tools.ffmpegPath, shopcastBuild);
  const workDir = await mkdtemp(path.join(tmpdir(), 'shopcast-bench-'));
  // nginx workers run as www-data and must reach their prefix inside.
  await chmod(workDir, 0o755);
  // Registered first, so it runs last, also after Ctrl-C.
  const removeWorkDir = onCleanup('work folder', () => (keep ? Promise.resolve() : rm(workDir, { recursive: true, force: true })));
  const playerPage = settings.playerS !== null && tools.chromium ? await servePlayerPage() : null;
  const runs: SystemRun[] = [];
  const systemInfo: ResultsFile['systemInfo'] = {};
  try {
    for (let round = 0; round < settings.rounds; round++) {
      for (const system of roundOrder(systems, round)) {
        const tag = `round ${round + 1}/${settings.rounds} ${system}`;
        const started = Date.now();
        const progress = (message: string): void =>
          console.error(`bench: ${tag}: ${message} (+${((Date.now() - started) / 1000).toFixed(0)} s)`);
        try {
          const { run, info } = await runSystemOnce({
            system,
            round,
            settings,
            dir: path.join(workDir, `${round + 1}-${system}`),
            ffmpegPath: tools.ffmpegPath,
            profile,
            playerPage,
            wrk: tools.wrk,
            progress,
          });
          runs.push(run);
          (systemInfo[system] ??= []).push(info);
          run.errors.forEach((error) => console.error(`bench: ${tag}: ${error}`));
        } catch (err) {
          console.error(`bench: ${tag} failed: ${(err as Error).stack ?? String(err)}`);
          runs.push(failedRun(system, round, (err as Error).message));
        }
      }
    }
  } finally {
    await playerPage?.close();
    await removeWorkDir();
  }
  const report = buildReport(runs, systems);
  const files = await writeResults({
    mode: settings.mode,
    settings,
    startedAt,
    finishedAt: new Date().toISOString(),
    versions,
    systems,
    skipped,
    ratios: report.ratios,
    verdicts: report.verdicts,
    figures: report.figures,
    systemInfo,
    runs,
  });
  console.log(`shopcast bench (${settings.mode}: ${settings.rounds} round(s), medians across rounds)`);
  console.log(renderTable(report, systems));
  skipped.forEach((line) => console.log(line));
  console.log(`results: ${path.relative(process.cwd(), files.json)}\nchart:   ${path.relative(process.cwd(), files.svg)}`);
  if (keep) console.log(`recordings and prefixes kept in ${workDir}`);
}

const cli = parseCli(process.argv.slice(2));
if (cli.help) {
  console.log(USAGE);
} else {
  cleanupOnSignals();
  try {
    await main(cli);
  } catch (err) {
    console.error(`bench: ${(err as Error).stack ?? String(err)}`);
    process.exitCode = 1;
  } finally {
    await cleanupAll();
  }
}
