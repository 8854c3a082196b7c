// Draws the delay and latency distributions per system as a self-contained SVG (box plots over the samples); pure.
import { summarize } from './stats.js';

export interface Series {
  label: string;
  samples: readonly number[];
}

export interface Panel {
  title: string;
  unit: string;
  series: readonly Series[];
  /** Said under the title, e.g. why a panel has no samples. */
  note?: string;
}

export interface ChartOptions {
  title: string;
  panels: readonly Panel[];
}

const WIDTH = 900;
const LABEL_W = 150;
/** Right of the plot: each series' n and median. */
const STATS_W = 170;
const PLOT_W = WIDTH - LABEL_W - STATS_W;
const ROW_H = 34;
const PANEL_HEAD = 44;
const AXIS_H = 34;
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b'];

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Round tick step (1, 2 or 5 × 10^n) giving about `count` ticks over `span`. */
export function tickStep(span: number, count = 6): number {
  if (!(span > 0)) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  return step ?? 10 * power;
}

function panelSvg(panel: Panel, top: number): { svg: string; height: number } {
  const all = panel.series.flatMap((s) => [...s.samples]);
  const lo = Math.min(0, ...all);
  const hi = Math.max(lo + 1, ...all);
  const step = tickStep(hi - lo);
  const min = Math.floor(lo / step) * step;
  const max = Math.ceil(hi / step) * step;
  const x = (v: number): number => LABEL_W + ((v - min) / (max - min)) * PLOT_W;
  const parts: string[] = [
    `<text x="10" y="${top + 24}" font-size="15" font-weight="bold">${escape(`${panel.title} (${panel.unit})`)}</text>`,
    ...(panel.note ? [`<text x="${LABEL_W}" y="${top + 40}" font-size="12" fill="#a00">${escape(panel.note)}</text>`] : []),
  ];
  const plotTop = top + PANEL_HEAD;
  const plotBottom = plotTop + panel.series.length * ROW_H;
  for (let v = min; v <= max + step / 2; v += step) {
    const px = x(v).toFixed(1);
    parts.push(
      `<line x1="${px}" y1="${plotTop}" x2="${px}" y2="${plotBottom}" stroke="#ddd"/>`,
      `<text x="${px}" y="${plotBottom + 16}" font-size="11" text-anchor="middle">${Number(v.toFixed(6))}</text>`,
    );
  }
  panel.series.forEach((series, i) => {
    const cy = plotTop + i * ROW_H + ROW_H / 2;
    const color = COLORS[i % COLORS.length] as string;
    const stats = summarize(series.samples);
    parts.push(`<text x="10" y="${cy + 4}" font-size="12">${escape(series.label)}</text>`);
    if (!stats) {
      parts.push(`<text x="${LABEL_W}" y="${cy + 4}" font-size="12" fill="#888">no samples</text>`);
      return;
    }
    const [p5, p25, med, p75, p95] = [stats.p5, stats.p25, stats.median, stats.p75, stats.p95].map(x);
    parts.push(
      `<line x1="${p5}" y1="${cy}" x2="${p95}" y2="${cy}" stroke="${color}"/>`,
      `<rect x="${p25}" y="${cy - 9}" width="${Math.max(1, (p75 as number) - (p25 as number))}" height="18" fill="${color}" fill-opacity="0.25" stroke="${color}"/>`,
      `<line x1="${med}" y1="${cy - 11}" x2="${med}" y2="${cy + 11}" stroke="${color}" stroke-width="3"/>`,
      ...series.samples.map((v) => `<circle cx="${x(v).toFixed(1)}" cy="${cy}" r="1.8" fill="${color}" fill-opacity="0.6"/>`),
      `<text x="${WIDTH - 10}" y="${cy + 4}" font-size="11" text-anchor="end">n=${stats.n}, median ${stats.median.toFixed(2)}</text>`,
    );
  });
  return { svg: parts.join('\n'), height: PANEL_HEAD + panel.series.length * ROW_H + AXIS_H };
}

/** One panel per distribution; each series a box (p25–p75), median bar, p5–p95 whiskers and every sample as a dot. */
export function renderChart({ title, panels }: ChartOptions): string {
  const body: string[] = [];
  let top = 40;
  for (const panel of panels) {
    const { svg, height } = panelSvg(panel, top);
    body.push(svg);
    top += height;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${top + 10}" viewBox="0 0 ${WIDTH} ${top + 10}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="24" font-size="16" font-weight="bold">${escape(title)}</text>`,
    ...body,
    `<text x="${WIDTH - 10}" y="${top + 4}" font-size="10" text-anchor="end" fill="#666">box p25–p75, bar median, whiskers p5–p95, dots samples</text>`,
    '</svg>',
    '',
  ].join('\n');
}
