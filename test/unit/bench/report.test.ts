import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SystemName, SystemRun } from '../../../bench/model.js';
import { buildReport, distributions, renderTable } from '../../../bench/report.js';

interface Figures {
  startup: number;
  delays: number[];
  cpu: number | null;
  speed: number | null;
  rss: number;
  playlistRps: number;
  segmentMiB: number;
  ssim: Record<number, number>;
  /** Part delays of the top rung. */
  parts?: number[];
  /** Glass-to-glass samples read from the picture clock. */
  glass?: number[];
  /** The same with dash.js. */
  dashGlass?: number[];
}

const picturePlayer = (pictureLatencyS: number[] | undefined): SystemRun['player'] =>
  pictureLatencyS === undefined
    ? null
    : { pdtLatencyS: null, timelineLatencyS: [], pictureLatencyS, timeToPlayingS: 1, pageToFirstFrameS: 0.6, samples: [], error: null };

function run(system: SystemName, round: number, f: Figures): SystemRun {
  const proc = { cpuS: 1, processes: 1, rssMaxMiB: f.rss };
  const wrk = (requestsPerS: number, mibPerS: number) => ({
    url: 'http://h/x',
    requests: 100,
    durationS: 5,
    requestsPerS,
    mibPerS,
    non2xx: 0,
    socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 },
    latencyMs: { p50: 1, p75: 2, p90: 3, p99: 4 },
  });
  return {
    system,
    round,
    t0: '2026-11-27T00:00:00.000Z',
    publisherLagS: 0.2,
    ladder: [],
    startup: { masterS: f.startup, firstSegmentS: f.startup, threeSegmentsS: f.startup + 4, firstFrameS: f.startup + 0.5, perRung: [] },
    delay: { topRung: '720p', samplesS: f.delays, perRung: {}, partSamplesS: f.parts ?? [], partsPerRung: {}, runs: 1, anchors: [] },
    resources: {
      windowS: 30,
      samples: [],
      windowFromMs: 0,
      windowToMs: 30_000,
      speedWholeRun: f.speed,
      gateway: { ...proc, cpuPerMediaS: 0.05 },
      transcoder: f.cpu === null ? null : { ...proc, cpuPerMediaS: f.cpu, speed: f.speed, mediaS: 30 },
    },
    quality: Object.entries(f.ssim).map(([height, all]) => ({
      rung: `${height}p`,
      height: Number(height),
      ssim: { y: all, u: all, v: all, all, allDb: 20 },
      sourceFrame: 600,
      frames: 60,
      agreeing: 15,
      compared: 15,
      error: null,
    })),
    http: { playlist: wrk(f.playlistRps, 10), segment: wrk(1000, f.segmentMiB), errors: [] },
    player: picturePlayer(f.glass),
    dashPlayer: picturePlayer(f.dashGlass),
    errors: [],
  };
}

const base: Figures = {
  startup: 2.4,
  delays: [0.2, 0.25, 0.3],
  cpu: 0.3,
  speed: 1.0,
  rss: 90,
  playlistRps: 12_000,
  segmentMiB: 900,
  ssim: { 720: 1, 480: 0.971, 360: 0.967 },
};
const runs: SystemRun[] = [
  run('shopcast', 0, { ...base, glass: [1.1, 1.2, 1.9] }),
  run('shopcast', 1, { ...base, startup: 3.0, speed: 0.97, delays: [0.3, 0.35, 0.4], glass: [1.3, 1.4, 1.5] }),
  run('shopcast', 2, { ...base, startup: 2.6 }),
  run('nginx-a', 0, { ...base, startup: 2.2, cpu: null, speed: null, playlistRps: 20_000, segmentMiB: 1500, ssim: {} }),
  run('nginx-c', 0, {
    ...base,
    startup: 6.0,
    cpu: 0.5,
    speed: 0.99,
    delays: [0.4, 0.5, 0.6],
    ssim: { 720: 0.995, 480: 0.97, 360: 0.965 },
    glass: [6.5, 6.6, 6.7],
  }),
];

describe('buildReport', () => {
  const report = buildReport(runs);
  const figure = (key: string) => report.figures.find((f) => f.key === key);

  it('takes medians across rounds, and the worst round for speed', () => {
    assert.equal(figure('startupFirstSegmentS')?.systems.shopcast?.value, 2.6);
    assert.deepEqual(figure('startupFirstSegmentS')?.systems.shopcast?.perRound, [2.4, 3.0, 2.6]);
    assert.equal(figure('transcoderSpeedMin')?.systems.shopcast?.value, 0.97);
    assert.equal(figure('liveEdgeDelayMedianS')?.systems.shopcast?.value, 0.25);
  });

  it('gives the ratios against the right reference and judges the targets', () => {
    const { ratios } = report;
    assert.ok(Math.abs((ratios.startup ?? 0) - 2.6 / 6) < 1e-9);
    assert.ok(Math.abs((ratios.transcoderCpu ?? 0) - 0.6) < 1e-9);
    assert.ok(Math.abs((ratios.liveEdgeDelayMedian ?? 0) - 0.5) < 1e-9);
    assert.ok(Math.abs((ratios.playlistReqPerSec ?? 0) - 0.6) < 1e-9);
    assert.ok(Math.abs((ratios.segmentMiBPerSec ?? 0) - 0.6) < 1e-9);
    assert.ok(Math.abs((ratios.speedMin ?? 0) - 0.97 / 0.99) < 1e-9);
    assert.ok(Math.abs((ratios.ssimDeltaWorstRung ?? 0) - 0.001) < 1e-9);
    const verdict = (key: string) => report.verdicts.find((v) => v.key === key)?.pass;
    assert.equal(verdict('startupFirstSegmentS'), true);
    assert.equal(verdict('transcoderCpuPerMediaS'), true);
    assert.equal(verdict('liveEdgeDelayMedianS'), true);
    assert.equal(verdict('transcoderSpeedMin'), false);
    assert.equal(verdict('gatewayRssMaxMiB'), true);
    assert.equal(verdict('ssimDeltaWorstRung'), true);
  });

  it('takes glass to glass from the picture clock, against the ladder reference and the 1.5 s target', () => {
    const glass = figure('glassToGlassMedianS');
    assert.deepEqual(glass?.systems.shopcast?.perRound, [1.2, 1.4, null], 'a round without the player counts for nothing');
    assert.ok(Math.abs((glass?.systems.shopcast?.value ?? 0) - 1.3) < 1e-9);
    assert.ok(Math.abs((glass?.ratio ?? 0) - 1.3 / 6.6) < 1e-9);
    assert.equal(report.verdicts.find((v) => v.key === 'glassToGlassMedianS')?.pass, true);
    const slow = buildReport([run('shopcast', 0, { ...base, glass: [1.6, 1.7] })], ['shopcast']);
    assert.equal(slow.verdicts.find((v) => v.key === 'glassToGlassMedianS')?.pass, false);
  });

  it('takes the DASH glass to glass from dash.js\'s samples, into ratios.glassToGlassDashMedianS', () => {
    assert.equal(report.ratios.glassToGlassDashMedianS, null, 'no DASH player, no figure');
    const dash = buildReport([run('shopcast', 0, { ...base, glass: [1.2], dashGlass: [1.1, 1.3, 1.9] })], ['shopcast']);
    assert.ok(Math.abs((dash.ratios.glassToGlassDashMedianS ?? 0) - 1.3) < 1e-9);
    assert.equal(dash.verdicts.find((v) => v.key === 'glassToGlassDashMedianS')?.pass, true);
  });

  it('compares transcoder CPU on equal work: both copying the top rung, and both encoding every rung', () => {
    const pairs = buildReport([
      ...runs,
      run('nginx-c-copy', 0, { ...base, cpu: 0.4, ssim: { 720: 1, 480: 0.972, 360: 0.967 } }),
      run('shopcast-encoded', 0, { ...base, cpu: 0.45, ssim: { 720: 0.993, 480: 0.971, 360: 0.967 } }),
    ]);
    assert.ok(Math.abs((pairs.ratios.transcoderCpuEqualWork ?? 0) - 0.3 / 0.4) < 1e-9);
    assert.ok(Math.abs((pairs.ratios.transcoderCpuAllEncoded ?? 0) - 0.45 / 0.5) < 1e-9);
    const verdict = (key: string) => pairs.verdicts.find((v) => v.key === key)?.pass;
    assert.equal(verdict('transcoderCpuEqualWork'), true);
    assert.equal(verdict('transcoderCpuAllEncoded'), true);
    const worst = (key: string) => pairs.figures.find((f) => f.key === key)?.ratio ?? NaN;
    assert.ok(Math.abs(worst('ssimDeltaWorstRungEqualWork') - -0.001) < 1e-9, 'shopcast 480p is 0.001 below nginx-c-copy');
    assert.ok(Math.abs(worst('ssimDeltaWorstRungAllEncoded') - -0.002) < 1e-9, 'its encoded 720p is 0.002 below nginx-c');
    assert.equal(pairs.figures.filter((f) => f.key === 'ssim720p').length, 1, 'per-rung rows only for shopcast against nginx-c');
    assert.equal(buildReport(runs).ratios.transcoderCpuEqualWork, null, 'no pair, no ratio');
  });

  it('judges the part delay on its own: nginx-rtmp writes no parts', () => {
    const judged = buildReport([run('shopcast', 0, { ...base, parts: [0.02, 0.04, 0.3] }), run('nginx-c', 0, base)]);
    const parts = judged.figures.find((f) => f.key === 'partDelayMedianS');
    assert.equal(parts?.systems.shopcast?.value, 0.04);
    assert.equal(parts?.systems['nginx-c']?.value, null);
    assert.equal(parts?.ratio, null);
    assert.equal(judged.verdicts.find((v) => v.key === 'partDelayMedianS')?.pass, true);
  });

  it('compares SSIM only on rung heights both systems have', () => {
    assert.deepEqual(
      report.figures.filter((f) => f.key.startsWith('ssim') && f.key.endsWith('p')).map((f) => f.key),
      ['ssim720p', 'ssim480p', 'ssim360p'],
    );
  });

  it('leaves a figure a reference lacks without ratio or verdict', () => {
    const alone = buildReport(runs.filter((r) => r.system === 'shopcast'), ['shopcast']);
    assert.equal(alone.ratios.transcoderCpu, null);
    assert.equal(alone.verdicts.find((v) => v.key === 'transcoderCpuPerMediaS')?.pass, null);
    assert.equal(alone.verdicts.find((v) => v.key === 'gatewayRssMaxMiB')?.pass, true);
  });
});

describe('renderTable', () => {
  it('lists every figure with one column per system, the ratio, target and verdict', () => {
    const table = renderTable(buildReport(runs));
    const lines = table.split('\n');
    assert.match(lines[0] ?? '', /^figure\s+shopcast\s+nginx-a\s+nginx-c\s+nginx-c-copy\s+shopcast-encoded\s+ratio\s+target\s+pass$/);
    const cpu = lines.find((l) => l.startsWith('transcoder CPU-s per media-s')) ?? '';
    assert.match(cpu, /0\.300\s+–\s+0\.500\s+–\s+–\s+0\.60×\s+≤ 0\.8× nginx-c\s+PASS/);
    assert.match(lines.find((l) => l.startsWith('SSIM 720p')) ?? '', /Δ \+0\.0050/);
  });
});

describe('distributions', () => {
  it('pools every round of a system', () => {
    const { delay } = distributions(runs);
    assert.deepEqual(delay.find((d) => d.label === 'shopcast')?.samples.length, 9);
  });
});
