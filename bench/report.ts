// From every run's measurements to the figures, ratios and target verdicts the bench reports (table and JSON); pure.
import { GATEWAY_RSS_BUDGET_MIB } from './budgets.js';
import { SYSTEM_NAMES, type SystemName, type SystemRun } from './model.js';
import { maxOfPresent, medianOfPresent, minOfPresent, quantile } from './stats.js';
import type { Series } from './svg-chart.js';

/** How a figure's per-round values become one value: medians across rounds, except worst-case figures. */
type Aggregate = 'median' | 'min' | 'max';

export type RatioKey =
  | 'transcoderCpu'
  | 'liveEdgeDelayMedian'
  | 'startup'
  | 'playlistReqPerSec'
  | 'segmentMiBPerSec'
  | 'ssimDeltaWorstRung'
  | 'speedMin'
  | 'transcoderCpuEqualWork'
  | 'transcoderCpuAllEncoded';

/** shopcast's own figures for the low-latency targets, in seconds, in the JSON's `ratios` beside the ratios. */
type SecondsKey = 'glassToGlassMedianS' | 'glassToGlassDashMedianS' | 'partDelayMedianS' | 'startupToFirstFrameS';

interface Target {
  text: string;
  /** Verdict from shopcast's value and its ratio (or delta) to the reference. */
  pass(value: number, ratio: number | null): boolean | null;
}

interface FigureDef {
  key: string;
  label: string;
  digits: number;
  aggregate: Aggregate;
  of(run: SystemRun): number | null;
  /** Whose value is judged: shopcast, unless the figure is about another of its runs (shopcast-encoded). */
  subject?: SystemName;
  /** The reference the ratio is taken against; `delta` for SSIM (subject − reference). */
  compare?: { vs: SystemName; ratioKey?: RatioKey; delta?: boolean };
  target?: Target;
}

const ratioAtMost = (limit: number, vs: string): Target => ({
  text: `≤ ${limit}× ${vs}`,
  pass: (_value, ratio) => (ratio === null ? null : ratio <= limit),
});
const ratioAtLeast = (limit: number, vs: string): Target => ({
  text: `≥ ${limit}× ${vs}`,
  pass: (_value, ratio) => (ratio === null ? null : ratio >= limit),
});

/** A shopper waiting for the show sees it within seconds of the seller going live, and at once when already live. */
const FIRST_FRAME_TARGET_S = { publish: 3, page: 1 };

/** A part is listed right after its last frame arrived: the packager adds no wait of its own. */
const PART_DELAY_TARGET_S = 0.1;

/** Shoppers see the seller's answer about a second later: hls.js in low-latency mode on the default ladder. */
const GLASS_TO_GLASS_TARGET_S = 1.5;

/** A transcoder fed in real time cannot average above 1.0; FFmpeg's progress reports resolve about 1 %. */
const SPEED_TOLERANCE = 0.01;

const transcoderCpu = (run: SystemRun): number | null => run.resources?.transcoder?.cpuPerMediaS ?? null;
const delayQuantile = (q: number, of: 'segments' | 'parts' = 'segments') => (run: SystemRun): number | null => {
  const samples = (of === 'parts' ? run.delay?.partSamplesS : run.delay?.samplesS) ?? [];
  return samples.length > 0 ? quantile(samples, q) : null;
};
const PLAYER_LATENCIES = {
  timeline: (run: SystemRun) => run.player?.timelineLatencyS,
  pdt: (run: SystemRun) => run.player?.pdtLatencyS,
  picture: (run: SystemRun) => run.player?.pictureLatencyS,
  dashPicture: (run: SystemRun) => run.dashPlayer?.pictureLatencyS,
} as const;
const playerQuantile = (q: number, source: keyof typeof PLAYER_LATENCIES) => (run: SystemRun): number | null => {
  const samples = PLAYER_LATENCIES[source](run) ?? [];
  return samples.length > 0 ? quantile(samples, q) : null;
};
/** Throughput only counts if every answer was a success. */
const wrkFigure = (target: 'playlist' | 'segment', field: 'requestsPerS' | 'mibPerS') => (run: SystemRun): number | null => {
  const result = run.http?.[target];
  return result && result.non2xx === 0 ? result[field] : null;
};

const FIGURES: readonly FigureDef[] = [
  {
    key: 'startupFirstSegmentS',
    label: 'startup, ≥1 segment every rung (s)',
    digits: 2,
    aggregate: 'median',
    of: (run) => run.startup.firstSegmentS,
    compare: { vs: 'nginx-c', ratioKey: 'startup' },
    target: ratioAtMost(0.6, 'nginx-c'),
  },
  {
    key: 'startupToFirstFrameS',
    label: 'startup, publish → first frame on a waiting page (s)',
    digits: 2,
    aggregate: 'median',
    of: (run) => run.startup.firstFrameS,
    compare: { vs: 'nginx-c' },
    target: { text: `≤ ${FIRST_FRAME_TARGET_S.publish} s`, pass: (value) => value <= FIRST_FRAME_TARGET_S.publish },
  },
  {
    key: 'pageToFirstFrameS',
    label: 'page open → first frame, while live (s)',
    digits: 2,
    aggregate: 'median',
    of: (run) => run.player?.pageToFirstFrameS ?? null,
    compare: { vs: 'nginx-c' },
    target: { text: `≤ ${FIRST_FRAME_TARGET_S.page} s`, pass: (value) => value <= FIRST_FRAME_TARGET_S.page },
  },
  {
    key: 'startupThreeSegmentsS',
    label: 'startup, ≥3 segments every rung (s)',
    digits: 2,
    aggregate: 'median',
    of: (run) => run.startup.threeSegmentsS,
    compare: { vs: 'nginx-c' },
  },
  {
    key: 'liveEdgeDelayMedianS',
    label: 'live-edge delay median, top rung (s)',
    digits: 2,
    aggregate: 'median',
    of: delayQuantile(0.5),
    compare: { vs: 'nginx-c', ratioKey: 'liveEdgeDelayMedian' },
    target: ratioAtMost(0.5, 'nginx-c'),
  },
  {
    key: 'partDelayMedianS',
    label: 'part delay median, top rung (s)',
    digits: 3,
    aggregate: 'median',
    of: delayQuantile(0.5, 'parts'),
    target: { text: `≤ ${PART_DELAY_TARGET_S} s`, pass: (value) => value <= PART_DELAY_TARGET_S },
  },
  {
    key: 'liveEdgeDelayMedianFromT0S',
    label: 'live-edge delay median from T0 (s)',
    digits: 2,
    aggregate: 'median',
    of: (run) => {
      const median = delayQuantile(0.5)(run);
      return median === null || run.publisherLagS === null ? null : median + run.publisherLagS;
    },
    compare: { vs: 'nginx-c' },
  },
  {
    key: 'publisherLagS',
    label: 'publisher start lag, T0 → media 0 (s)',
    digits: 2,
    aggregate: 'median',
    of: (run) => run.publisherLagS,
  },
  {
    key: 'liveEdgeDelayP95S',
    label: 'live-edge delay p95, top rung (s)',
    digits: 2,
    aggregate: 'median',
    of: delayQuantile(0.95),
    compare: { vs: 'nginx-c' },
  },
  {
    key: 'transcoderCpuPerMediaS',
    label: 'transcoder CPU-s per media-s (shopcast copies its top rung, nginx-c encodes it)',
    digits: 3,
    aggregate: 'median',
    of: transcoderCpu,
    compare: { vs: 'nginx-c', ratioKey: 'transcoderCpu' },
    target: ratioAtMost(0.8, 'nginx-c'),
  },
  {
    key: 'transcoderCpuEqualWork',
    label: 'transcoder CPU, equal work: both copy the top rung',
    digits: 3,
    aggregate: 'median',
    of: transcoderCpu,
    compare: { vs: 'nginx-c-copy', ratioKey: 'transcoderCpuEqualWork' },
    target: ratioAtMost(1, 'nginx-c-copy'),
  },
  {
    key: 'transcoderCpuAllEncoded',
    label: 'transcoder CPU, equal work: both encode every rung',
    digits: 3,
    aggregate: 'median',
    of: transcoderCpu,
    subject: 'shopcast-encoded',
    compare: { vs: 'nginx-c', ratioKey: 'transcoderCpuAllEncoded' },
    target: ratioAtMost(1, 'nginx-c'),
  },
  {
    key: 'transcoderSpeedMin',
    label: 'transcoder speed, worst round (x)',
    digits: 3,
    aggregate: 'min',
    of: (run) => run.resources?.transcoder?.speed ?? null,
    compare: { vs: 'nginx-c', ratioKey: 'speedMin' },
    target: { text: `≥ 1.0 (±${SPEED_TOLERANCE})`, pass: (value) => value >= 1 - SPEED_TOLERANCE },
  },
  {
    key: 'transcoderSpeedWholeRunMin',
    label: 'transcoder speed incl. HTTP load, worst (x)',
    digits: 3,
    aggregate: 'min',
    of: (run) => run.resources?.speedWholeRun ?? null,
    compare: { vs: 'nginx-c' },
  },
  {
    key: 'transcoderRssMaxMiB',
    label: 'transcoder RSS, worst round (MiB)',
    digits: 0,
    aggregate: 'max',
    of: (run) => run.resources?.transcoder?.rssMaxMiB ?? null,
    compare: { vs: 'nginx-c' },
  },
  {
    key: 'gatewayCpuPerMediaS',
    label: 'gateway CPU-s per media-s',
    digits: 3,
    aggregate: 'median',
    of: (run) => run.resources?.gateway?.cpuPerMediaS ?? null,
    compare: { vs: 'nginx-c' },
  },
  {
    key: 'gatewayRssMaxMiB',
    label: 'gateway RSS, worst round (MiB)',
    digits: 0,
    aggregate: 'max',
    of: (run) => run.resources?.gateway?.rssMaxMiB ?? null,
    compare: { vs: 'nginx-c' },
    target: { text: `≤ ${GATEWAY_RSS_BUDGET_MIB} MiB`, pass: (value) => value <= GATEWAY_RSS_BUDGET_MIB },
  },
  {
    key: 'playlistReqPerS',
    label: 'top playlist req/s (wrk)',
    digits: 0,
    aggregate: 'median',
    of: wrkFigure('playlist', 'requestsPerS'),
    compare: { vs: 'nginx-a', ratioKey: 'playlistReqPerSec' },
    target: ratioAtLeast(0.5, 'nginx-a'),
  },
  {
    key: 'segmentReqPerS',
    label: 'newest segment req/s (wrk)',
    digits: 0,
    aggregate: 'median',
    of: wrkFigure('segment', 'requestsPerS'),
    compare: { vs: 'nginx-a' },
  },
  {
    key: 'segmentMiBPerS',
    label: 'newest segment MiB/s (wrk)',
    digits: 0,
    aggregate: 'median',
    of: wrkFigure('segment', 'mibPerS'),
    compare: { vs: 'nginx-a', ratioKey: 'segmentMiBPerSec' },
    target: ratioAtLeast(0.5, 'nginx-a'),
  },
  {
    key: 'glassToGlassMedianS',
    label: 'glass-to-glass median, picture clock (s)',
    digits: 2,
    aggregate: 'median',
    of: playerQuantile(0.5, 'picture'),
    compare: { vs: 'nginx-c' },
    target: { text: `≤ ${GLASS_TO_GLASS_TARGET_S} s`, pass: (value) => value <= GLASS_TO_GLASS_TARGET_S },
  },
  {
    key: 'glassToGlassDashMedianS',
    label: 'glass-to-glass median, dash.js (s)',
    digits: 2,
    aggregate: 'median',
    of: playerQuantile(0.5, 'dashPicture'),
    target: { text: `≤ ${GLASS_TO_GLASS_TARGET_S} s`, pass: (value) => value <= GLASS_TO_GLASS_TARGET_S },
  },
  {
    key: 'glassToGlassP95S',
    label: 'glass-to-glass p95, picture clock (s)',
    digits: 2,
    aggregate: 'median',
    of: playerQuantile(0.95, 'picture'),
    compare: { vs: 'nginx-c' },
  },
  {
    key: 'playerLatencyMedianS',
    label: 'player latency median, timeline (s)',
    digits: 2,
    aggregate: 'median',
    of: playerQuantile(0.5, 'timeline'),
    compare: { vs: 'nginx-c' },
  },
  {
    key: 'playerLatencyP95S',
    label: 'player latency p95, timeline (s)',
    digits: 2,
    aggregate: 'median',
    of: playerQuantile(0.95, 'timeline'),
    compare: { vs: 'nginx-c' },
  },
  {
    key: 'playerPdtLatencyMedianS',
    label: 'player latency median, PDT (s)',
    digits: 2,
    aggregate: 'median',
    of: playerQuantile(0.5, 'pdt'),
  },
];

/** SSIM per rung is "no worse than 0.005 below" the reference on every rung: judged on the worst rung. */
const SSIM_MAX_DROP = 0.005;

/** Two systems whose renditions' SSIM is compared rung by rung (subject − reference), judged on the worst rung. */
interface SsimPair {
  subject: SystemName;
  reference: SystemName;
  key: string;
  /** Show every rung's row, not only the worst. */
  perRung: boolean;
}

const SSIM_PAIRS: readonly SsimPair[] = [
  { subject: 'shopcast', reference: 'nginx-c', key: 'ssimDeltaWorstRung', perRung: true },
  { subject: 'shopcast', reference: 'nginx-c-copy', key: 'ssimDeltaWorstRungEqualWork', perRung: false },
  { subject: 'shopcast-encoded', reference: 'nginx-c', key: 'ssimDeltaWorstRungAllEncoded', perRung: false },
];

/** Rung heights both systems of the pair have, highest first. */
function sharedHeights(runs: readonly SystemRun[], { subject, reference }: SsimPair): number[] {
  const heights = (system: SystemName): Set<number> =>
    new Set(runs.filter((r) => r.system === system).flatMap((r) => (r.quality ?? []).flatMap((q) => (q.height === null ? [] : [q.height]))));
  const theirs = heights(reference);
  return [...heights(subject)].filter((h) => theirs.has(h)).sort((a, b) => b - a);
}

function ssimFigure(height: number, { subject, reference }: SsimPair): FigureDef {
  return {
    key: `ssim${height}p`,
    label: `SSIM ${height}p vs source`,
    digits: 4,
    aggregate: 'median',
    of: (run) => run.quality?.find((q) => q.height === height)?.ssim?.all ?? null,
    subject,
    compare: { vs: reference, delta: true },
  };
}

export interface FigureValues {
  key: string;
  label: string;
  digits: number;
  /** Per system: the aggregated value and the per-round values it came from. */
  systems: Partial<Record<SystemName, { value: number | null; perRound: Array<number | null> }>>;
  vs: SystemName | null;
  /** shopcast ÷ reference (or shopcast − reference for SSIM). */
  ratio: number | null;
  delta: boolean;
  target: string | null;
  pass: boolean | null;
}

const AGGREGATE: Record<Aggregate, (values: ReadonlyArray<number | null>) => number | null> = {
  median: medianOfPresent,
  min: minOfPresent,
  max: maxOfPresent,
};

function evaluate(def: FigureDef, runs: readonly SystemRun[], systems: readonly SystemName[]): FigureValues {
  const values: FigureValues['systems'] = {};
  for (const system of systems) {
    const perRound = runs.filter((r) => r.system === system).map((r) => def.of(r));
    values[system] = { value: AGGREGATE[def.aggregate](perRound), perRound };
  }
  const subject = values[def.subject ?? 'shopcast']?.value ?? null;
  const vs = def.compare?.vs ?? null;
  const reference = vs === null ? null : (values[vs]?.value ?? null);
  const delta = def.compare?.delta === true;
  let ratio: number | null = null;
  if (subject !== null && reference !== null) ratio = delta ? subject - reference : reference === 0 ? null : subject / reference;
  const pass = def.target && subject !== null ? def.target.pass(subject, ratio) : null;
  return { key: def.key, label: def.label, digits: def.digits, systems: values, vs, ratio, delta, target: def.target?.text ?? null, pass };
}

export interface Report {
  figures: FigureValues[];
  /** Ratios to the reference, and shopcast's seconds for the low-latency targets. */
  ratios: Record<RatioKey | SecondsKey, number | null>;
  verdicts: Array<{ key: string; target: string; pass: boolean | null }>;
}


/** A pair's rows: each shared rung (if shown) and the worst rung's delta, judged against SSIM_MAX_DROP. */
function ssimRows(pair: SsimPair, runs: readonly SystemRun[], systems: readonly SystemName[]): FigureValues[] {
  const rungs = sharedHeights(runs, pair).map((height) => evaluate(ssimFigure(height, pair), runs, systems));
  const deltas = rungs.flatMap((f) => (f.ratio === null ? [] : [f.ratio]));
  const worst = deltas.length > 0 ? Math.min(...deltas) : null;
  const worstRow: FigureValues = {
    key: pair.key,
    label: `SSIM, worst rung Δ (${pair.subject} − ${pair.reference})`,
    digits: 4,
    systems: {},
    vs: pair.reference,
    ratio: worst,
    delta: true,
    target: `≥ −${SSIM_MAX_DROP}`,
    pass: worst === null ? null : worst >= -SSIM_MAX_DROP,
  };
  return [...(pair.perRung ? rungs : []), worstRow];
}

export function buildReport(runs: readonly SystemRun[], systems: readonly SystemName[] = SYSTEM_NAMES): Report {
  const figures = FIGURES.map((def) => evaluate(def, runs, systems));
  const all = [...figures, ...SSIM_PAIRS.flatMap((pair) => ssimRows(pair, runs, systems))];
  const valueOf = (key: string): FigureValues | undefined => all.find((f) => f.key === key);
  const ratioOf = (key: RatioKey): number | null => {
    const def = FIGURES.find((d) => d.compare?.ratioKey === key);
    return def ? (valueOf(def.key)?.ratio ?? null) : null;
  };
  const seconds = (key: SecondsKey): number | null => valueOf(key)?.systems.shopcast?.value ?? null;
  return {
    figures: all,
    ratios: {
      transcoderCpu: ratioOf('transcoderCpu'),
      liveEdgeDelayMedian: ratioOf('liveEdgeDelayMedian'),
      startup: ratioOf('startup'),
      playlistReqPerSec: ratioOf('playlistReqPerSec'),
      segmentMiBPerSec: ratioOf('segmentMiBPerSec'),
      ssimDeltaWorstRung: valueOf('ssimDeltaWorstRung')?.ratio ?? null,
      speedMin: ratioOf('speedMin'),
      transcoderCpuEqualWork: ratioOf('transcoderCpuEqualWork'),
      transcoderCpuAllEncoded: ratioOf('transcoderCpuAllEncoded'),
      glassToGlassMedianS: seconds('glassToGlassMedianS'),
      glassToGlassDashMedianS: seconds('glassToGlassDashMedianS'),
      partDelayMedianS: seconds('partDelayMedianS'),
      startupToFirstFrameS: seconds('startupToFirstFrameS'),
    },
    verdicts: all.filter((f) => f.target !== null).map((f) => ({ key: f.key, target: f.target as string, pass: f.pass })),
  };
}

function format(value: number | null | undefined, digits: number): string {
  if (value === null || value === undefined) return '–';
  return value.toFixed(digits);
}

/** The report as a fixed-width text table: figure, one column per system, ratio, target, verdict. */
export function renderTable(report: Report, systems: readonly SystemName[] = SYSTEM_NAMES): string {
  const header = ['figure', ...systems, 'ratio', 'target', 'pass'];
  const rows = report.figures.map((f) => [
    f.label,
    ...systems.map((s) => format(f.systems[s]?.value, f.digits)),
    f.ratio === null ? '–' : f.delta ? `Δ ${f.ratio >= 0 ? '+' : ''}${f.ratio.toFixed(4)}` : `${f.ratio.toFixed(2)}×`,
    f.target ?? '',
    f.pass === null ? (f.target ? 'n/a' : '') : f.pass ? 'PASS' : 'FAIL',
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => (row[i] ?? '').length)));
  const line = (row: string[]): string =>
    row.map((cell, i) => (i === 0 || i >= header.length - 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * Pooled samples for the chart: every round's live-edge delays (top rung) and glass-to-glass latencies per system,
 * with shopcast's timeline and PDT figures beside its own, so the three methods check each other.
 */
export function distributions(
  runs: readonly SystemRun[],
  systems: readonly SystemName[] = SYSTEM_NAMES,
): { delay: Series[]; latency: Series[] } {
  const pooled = (system: SystemName, pick: (run: SystemRun) => readonly number[] | null | undefined): number[] =>
    runs.filter((r) => r.system === system).flatMap((r) => [...(pick(r) ?? [])]);
  // The transcoder-only runs have no player and their own delays are not the point: only series with samples.
  const measured = (series: Series[]): Series[] => series.filter((s) => s.samples.length > 0);
  return {
    delay: measured(systems.map((system) => ({ label: system, samples: pooled(system, (r) => r.delay?.samplesS) }))),
    latency: measured([
      ...systems.map((system) => ({ label: system, samples: pooled(system, (r) => r.player?.pictureLatencyS) })),
      { label: 'shopcast (timeline)', samples: pooled('shopcast', (r) => r.player?.timelineLatencyS) },
      { label: 'shopcast (PDT)', samples: pooled('shopcast', (r) => r.player?.pdtLatencyS) },
    ]),
  };
}
