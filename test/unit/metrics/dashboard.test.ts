// The Grafana dashboard in ops/grafana queries only metrics the gateway exposes, so a renamed metric cannot leave a
// panel empty unnoticed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createMetrics } from '../../../src/metrics/registry.js';
import { idleSources } from './fixtures.js';

const DASHBOARD = new URL('../../../ops/grafana/shopcast.json', import.meta.url);

interface Panel {
  title: string;
  type: string;
  targets?: { expr: string }[];
}

test('every metric the dashboard queries is exposed', async () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[]; templating: { list: { definition?: string }[] } };
  const metrics = createMetrics(idleSources());
  const exposed = new Set((await metrics.registry.getMetricsAsJSON()).map((metric) => metric.name));
  const queries = [
    ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr }))),
    ...dashboard.templating.list.flatMap((variable) => (variable.definition === undefined ? [] : [{ panel: 'variables', expr: variable.definition }])),
  ];
  assert.ok(queries.length > 20);
  for (const { panel, expr } of queries) {
    const names = expr.match(/\b(shopcast|process|nodejs)_[a-z0-9_]+/g) ?? [];
    assert.ok(names.length > 0, `${panel}: ${expr}`);
    for (const name of names) {
      // A histogram's series are its name plus _bucket, _sum, _count.
      assert.ok(exposed.has(name) || exposed.has(name.replace(/_(bucket|sum|count)$/, '')), `${panel}: ${name} is not exposed`);
    }
  }
  // Every shopcast metric has a panel.
  const queried = new Set(queries.flatMap(({ expr }) => (expr.match(/\bshopcast_[a-z0-9_]+/g) ?? []).map((name) => name.replace(/_bucket$/, ''))));
  const unused = [...exposed].filter((name) => name.startsWith('shopcast_') && !queried.has(name));
  assert.deepEqual(unused, []);
});
