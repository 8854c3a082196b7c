// The metrics' sources with nothing going on (no stream, no viewer, no destination, no recording), for tests that
// need a registry and replace only what they exercise.
import type { MetricSources } from '../../../src/metrics/registry.js';
import { testBus } from '../bus.js';

export function idleSources(overrides: Partial<MetricSources> = {}): MetricSources {
  return {
    bus: testBus(),
    status: { streams: () => [] },
    live: { viewers: () => 0 },
    channels: { list: () => [], bySlug: () => undefined },
    destinations: { list: () => [] },
    restream: { stateOf: () => ({ phase: 'idle', reason: null, since: '', bitrateKbps: null, failures: 0 }) },
    recordings: { totals: () => ({ bytes: 0, recordings: 0, quotaBytes: 0 }) },
    eventStreams: { open: 0 },
    parts: { onRungMedia: () => () => undefined },
    ...overrides,
  };
}
