import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderChart, tickStep } from '../../../bench/svg-chart.js';

describe('tickStep', () => {
  it('picks 1-2-5 steps', () => {
    assert.equal(tickStep(6), 1);
    assert.equal(tickStep(0.9), 0.2);
    assert.equal(tickStep(25), 5);
    assert.equal(tickStep(0), 1);
  });
});

describe('renderChart', () => {
  it('draws a box per series with samples, and says when a series has none', () => {
    const svg = renderChart({
      title: 'bench <quick>',
      panels: [
        { title: 'delay', unit: 's', series: [{ label: 'shopcast', samples: [0.2, 0.3, 0.4] }, { label: 'nginx-a', samples: [] }] },
        { title: 'latency', unit: 's', series: [{ label: 'nginx-c', samples: [6, 6.5] }] },
      ],
    });
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /bench &lt;quick&gt;/);
    assert.equal((svg.match(/<rect x=/g) ?? []).length, 2);
    assert.equal((svg.match(/<circle /g) ?? []).length, 5);
    assert.match(svg, /no samples/);
    assert.match(svg, /n=3, median 0\.30/);
    assert.ok(svg.trimEnd().endsWith('</svg>'));
  });
});
