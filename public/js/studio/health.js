// Stream health while live: ingest bitrate, fps, keyframe interval and transcoder speed from the channel's health
// route (the seller's figures; the operator's /api/streams is the admin's), a two-minute bitrate chart (inline SVG) and
// plain-language advice.
import { byId, h } from '../dom.js';
import { healthAdvice, sampleFrom } from '../streamHealth.js';

const POLL_MS = 2000;
const HISTORY = 60;
const SVG_NS = 'http://www.w3.org/2000/svg';
const W = 600;
const H = 120;

/** @param {string} name @param {Record<string, string | number>} attrs */
function svg(name, attrs) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/** @param {import('./context.js').StudioContext} ctx */
export function mountHealth(ctx) {
  /** @type {import('../streamHealth.js').HealthSample[]} */
  let history = [];
  const chart = byId('health-chart');
  const adviceList = byId('health-advice');

  /** @param {number | null} v @param {(v: number) => string} f */
  const show = (v, f) => (v === null ? '–' : f(v));

  function renderChart() {
    const points = history.filter((s) => s.bitrateKbps !== null);
    const max = Math.max(1000, ...points.map((s) => /** @type {number} */ (s.bitrateKbps))) * 1.15;
    const step = Math.pow(10, Math.floor(Math.log10(max)));
    const top = Math.ceil(max / step) * step;
    byId('chart-max').textContent = `max ${Math.round(top).toLocaleString('en')}`;
    const children = [1, 2, 3].map((i) => svg('line', { x1: 0, x2: W, y1: (H * i) / 4, y2: (H * i) / 4, class: 'chart-grid' }));
    if (points.length > 1) {
      const t0 = history[history.length - 1].atMs - (HISTORY - 1) * POLL_MS;
      const xy = points.map((s) => [
        Math.max(0, ((s.atMs - t0) / ((HISTORY - 1) * POLL_MS)) * W),
        H - (/** @type {number} */ (s.bitrateKbps) / top) * H,
      ]);
      const line = xy.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
      const first = xy[0];
      const last = xy[xy.length - 1];
      children.push(svg('polygon', { points: `${first[0]},${H} ${line} ${last[0]},${H}`, class: 'chart-area' }));
      children.push(svg('polyline', { points: line, class: 'chart-line' }));
    }
    chart.replaceChildren(...children);
  }

  function render() {
    const now = history[history.length - 1] ?? null;
    byId('stat-bitrate').textContent = show(now?.bitrateKbps ?? null, (v) => `${Math.round(v).toLocaleString('en')} kbps`);
    byId('stat-fps').textContent = show(now?.fps ?? null, (v) => `${Math.round(v * 10) / 10} fps`);
    byId('stat-keyframe').textContent = show(now?.keyframeIntervalS ?? null, (v) => `${Math.round(v * 10) / 10} s`);
    byId('stat-speed').textContent = show(now?.speed ?? null, (v) => `${v.toFixed(2)}×`);
    byId('health-updated').textContent = now ? 'Updated every 2 s' : '';
    const advice = now
      ? healthAdvice(history)
      : [{ level: 'idle', text: 'Health figures appear here while you are live.' }];
    adviceList.replaceChildren(...advice.map((a) => h('li', { className: `advice-item advice-${a.level}`, text: a.text })));
    renderChart();
  }

  async function poll() {
    const live = ['live', 'reconnecting', 'starting'].includes(ctx.channel.state);
    if (!live) {
      if (history.length) {
        history = [];
        render();
      }
      return;
    }
    try {
      const entry = await ctx.call(ctx.channelPath('/health'));
      if (entry?.ingest) {
        history.push(sampleFrom(entry, Date.now()));
        history = history.slice(-HISTORY);
      }
    } catch {
      // A missed sample leaves a gap in the chart; the next poll fills in.
    }
    render();
  }

  render();
  setInterval(poll, POLL_MS);
  void poll();
  return { render };
}
