import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resourceFigures, transcoderSpeed, type ResourceSample } from '../../../bench/resource-figures.js';

const proc = (pid: number, cpuS: number, rssMiB = 100) => ({ pid, startTimeTicks: pid * 10, cpuS, rssBytes: rssMiB * 1024 * 1024 });

function sample(atS: number, transcoder: ReturnType<typeof proc> | null, outTimeS: number | null, gatewayCpuS: number): ResourceSample {
  return {
    atMs: atS * 1000,
    gateway: proc(1, gatewayCpuS, 80),
    transcoder: transcoder && { ...transcoder, outTimeS },
  };
}

describe('resourceFigures', () => {
  it('gives CPU per media second: gateway per published second, transcoder per second it produced', () => {
    const samples = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((s) => sample(s, proc(7, 0.5 * s, 120 + s), 0.9 * s, 0.02 * s));
    const figures = resourceFigures(samples, { fromMs: 0, toMs: 10_000 });
    assert.equal(figures.windowS, 10);
    assert.ok(Math.abs((figures.transcoder?.speed ?? 0) - 0.9) < 1e-9);
    assert.ok(Math.abs((figures.transcoder?.cpuPerMediaS ?? 0) - 5 / 9) < 1e-9);
    assert.equal(figures.transcoder?.rssMaxMiB, 130);
    assert.equal(figures.transcoder?.processes, 1);
    assert.ok(Math.abs((figures.gateway?.cpuPerMediaS ?? 0) - 0.02) < 1e-9);
    assert.equal(figures.gateway?.rssMaxMiB, 80);
  });

  it('adds up a restarted transcoder per process, and only counts the window', () => {
    const samples = [
      sample(0, proc(7, 10), 0, 0),
      sample(1, proc(7, 10.5), 1, 0),
      sample(2, proc(8, 0.2), 0.1, 0),
      sample(3, proc(8, 0.8), 1.1, 0),
      sample(20, proc(8, 50), 18, 0),
    ];
    const figures = resourceFigures(samples, { fromMs: 0, toMs: 3000 });
    assert.ok(Math.abs((figures.transcoder?.cpuS ?? 0) - 1.1) < 1e-9);
    assert.equal(figures.transcoder?.processes, 2);
  });

  it('has no transcoder figures for a system without one', () => {
    const figures = resourceFigures([sample(0, null, null, 0), sample(1, null, null, 0.01)], { fromMs: 0, toMs: 1000 });
    assert.equal(figures.transcoder, null);
    assert.equal(transcoderSpeed([sample(0, null, null, 0)], { fromMs: 0, toMs: 1000 }), null);
  });
});
