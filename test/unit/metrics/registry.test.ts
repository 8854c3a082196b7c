// The metric definitions against fake sources: each reads its view at scrape time or counts its events, the text
// parses as Prometheus exposition, names follow the conventions, and no label value carries a key.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMetrics, type MetricSources } from '../../../src/metrics/registry.js';
import type { StreamReport } from '../../../src/origin/api/schemas.js';
import type { RungMediaListener } from '../../../src/packager/packager.js';
import type { PushState } from '../../../src/restream/push-state.js';
import type { Channel, RestreamDestination } from '../../../src/store/ports.js';
import { parseScrape, type Scrape } from '../../e2e/helpers/prometheus.js';
import { testBus } from '../bus.js';
import { streamReport } from '../origin/fakes.js';

const STREAM_KEY = 'secret-stream-key-0123456789abcdef';
const DESTINATION_KEY = 'live_destination_secret_key';

function channel(slug: string): Channel {
  return { id: `id-${slug}`, slug, title: slug, description: '', sellerId: 's', streamKey: STREAM_KEY, profile: 'default', createdAt: '' };
}

function destination(id: string, enabled: boolean): RestreamDestination {
  return { id, channelId: 'id-demo', name: id, url: 'rtmp://example.com/app', streamKey: DESTINATION_KEY, enabled, rung: 'source', createdAt: '', updatedAt: '' };
}

function pushState(phase: PushState['phase']): PushState {
  return { phase, reason: null, since: '2026-11-23T10:00:00.000Z', bitrateKbps: null, failures: 0 };
}

function setup() {
  const bus = testBus();
  const streams: StreamReport[] = [];
  const viewers = new Map<string, number>();
  const partListeners = new Set<RungMediaListener>();
  const cpuAsked: number[] = [];
  const sources: MetricSources = {
    bus,
    status: { streams: () => streams },
    live: { viewers: (slug) => viewers.get(slug) ?? 0 },
    channels: { list: () => [channel('demo'), channel('quiet'), channel('watched')], bySlug: (slug) => channel(slug) },
    destinations: { list: (channelId) => (channelId === 'id-demo' ? [destination('a', true), destination('b', true), destination('c', false)] : []) },
    restream: { stateOf: (_slug, id) => pushState(id === 'a' ? 'live' : 'retrying') },
    recordings: { totals: () => ({ bytes: 5 * 1024 ** 2, recordings: 2, quotaBytes: 20 * 1024 ** 3 }) },
    eventStreams: { open: 3 },
    parts: {
      onRungMedia: (listener) => {
        partListeners.add(listener);
        return () => partListeners.delete(listener);
      },
    },
    cpuSeconds: async (pid) => {
      cpuAsked.push(pid);
      return pid === 4242 ? 12.5 : undefined;
    },
  };
  const metrics = createMetrics(sources);
  const scrape = async (): Promise<Scrape> => parseScrape(await metrics.registry.metrics());
  const part = (slug: string, rung: string): void => {
    for (const listener of partListeners) listener(slug, rung, { runId: 'r1', init: new Uint8Array(), bytes: new Uint8Array(), independent: true });
  };
  return { bus, streams, viewers, metrics, scrape, part, partListeners, cpuAsked };
}

describe('metrics registry', () => {
  test('every metric is prefixed and typed by convention: counters end in _total, base units in the name', async () => {
    const { scrape } = setup();
    const { families } = await scrape();
    const ours = families.filter((family) => family.name.startsWith('shopcast_'));
    assert.ok(ours.length >= 20, `${ours.length} shopcast metrics`);
    for (const family of families) assert.match(family.name, /^(shopcast|process|nodejs)_[a-z0-9_]+$/, family.name);
    // (prom-client's own nodejs_* figures are as the library names them: one of its gauges ends in _total.)
    for (const family of ours) {
      assert.ok(family.help.length > 0, `${family.name} has help`);
      assert.equal(family.name.endsWith('_total'), family.type === 'COUNTER', `${family.name} is a ${family.type}`);
      assert.doesNotMatch(family.name, /_(kbps|ms|milliseconds|kb|mb|mib)(_|$)/, `${family.name} uses base units`);
    }
    // Process metrics are there under their standard names.
    assert.ok(families.some((family) => family.name === 'process_cpu_seconds_total'));
    assert.ok(families.some((family) => family.name === 'process_resident_memory_bytes'));
  });

  test('stream figures are read from the status view at scrape time, in base units, and go with the stream', async () => {
    const { streams, scrape, cpuAsked } = setup();
    let scraped = await scrape();
    assert.equal(scraped.sum('shopcast_live_streams'), 0);
    assert.deepEqual(scraped.samples('shopcast_ingest_bitrate_bits_per_second'), []);

    streams.push(streamReport('demo'));
    scraped = await scrape();
    const demo = { channel: 'demo' };
    assert.equal(scraped.sum('shopcast_live_streams'), 1);
    assert.equal(scraped.sum('shopcast_ingest_bitrate_bits_per_second', demo), 2_500_000);
    assert.equal(scraped.sum('shopcast_ingest_frames_per_second', demo), 30);
    assert.equal(scraped.sum('shopcast_ingest_keyframe_interval_seconds', demo), 2);
    assert.equal(scraped.sum('shopcast_ingest_idle_seconds', demo), 0.1);
    assert.equal(scraped.sum('shopcast_ingest_received_bytes_total', demo), 1e6);
    assert.equal(scraped.sum('shopcast_transcoder_speed_ratio', demo), 1.01);
    assert.equal(scraped.sum('shopcast_transcoder_frames_per_second', demo), 30);
    assert.equal(scraped.sum('shopcast_transcoder_restarts_total', demo), 1);
    assert.equal(scraped.sum('shopcast_transcoder_cpu_seconds_total', demo), 12.5);
    assert.deepEqual(cpuAsked, [4242]);

    // Figures a stream does not have yet (no media, FFmpeg not started) are left out rather than reported as 0.
    streams[0] = { ...streamReport('demo'), ingest: null, transcoder: null };
    scraped = await scrape();
    assert.deepEqual(scraped.samples('shopcast_ingest_bitrate_bits_per_second'), []);
    assert.deepEqual(scraped.samples('shopcast_transcoder_cpu_seconds_total'), []);

    streams.length = 0;
    scraped = await scrape();
    assert.equal(scraped.sum('shopcast_live_streams'), 0);
    assert.deepEqual(scraped.samples('shopcast_ingest_bitrate_bits_per_second'), []);
  });

  test('viewers are reported per live channel, and for any other channel that has some', async () => {
    const { streams, viewers, scrape } = setup();
    streams.push(streamReport('demo'));
    viewers.set('watched', 2);
    let scraped = await scrape();
    assert.deepEqual(
      scraped.samples('shopcast_viewers').map((sample) => [sample.labels?.channel, Number(sample.value)]),
      [['demo', 0], ['watched', 2]],
    );
    viewers.set('demo', 5);
    scraped = await scrape();
    assert.equal(scraped.sum('shopcast_viewers', { channel: 'demo' }), 5);
  });

  test('segments, parts and playlist updates are counted from the packager events; stop() unsubscribes', async () => {
    const { bus, metrics, scrape, part, partListeners } = setup();
    metrics.start();
    for (const rung of ['720p', '360p']) bus.emit('packager.segment', { slug: 'demo', rung, msn: 7, durationS: 2, listedAtMs: 0 });
    bus.emit('packager.segment', { slug: 'demo', rung: '720p', msn: 8, durationS: 2, listedAtMs: 0 });
    bus.emit('packager.playlists', { slug: 'demo', master: null, media: {}, rungs: [] });
    part('demo', '720p');
    part('demo', '720p');
    let scraped = await scrape();
    assert.equal(scraped.sum('shopcast_packager_segments_total', { channel: 'demo', rung: '720p' }), 2);
    assert.equal(scraped.sum('shopcast_packager_segments_total', { channel: 'demo', rung: '360p' }), 1);
    assert.equal(scraped.sum('shopcast_packager_parts_total', { channel: 'demo', rung: '720p' }), 2);
    assert.equal(scraped.sum('shopcast_packager_playlist_updates_total', { channel: 'demo' }), 1);

    metrics.stop();
    assert.equal(partListeners.size, 0);
    bus.emit('packager.segment', { slug: 'demo', rung: '720p', msn: 9, durationS: 2, listedAtMs: 0 });
    scraped = await scrape();
    assert.equal(scraped.sum('shopcast_packager_segments_total', { channel: 'demo', rung: '720p' }), 2);
  });

  test('restream destinations of live channels are counted by phase (a switched-off one is disabled); keys never appear', async () => {
    const { streams, metrics } = setup();
    streams.push(streamReport('demo'), streamReport('quiet'));
    const text = await metrics.registry.metrics();
    const scraped = parseScrape(text);
    const phases = Object.fromEntries(scraped.samples('shopcast_restream_destinations', { channel: 'demo' }).map((s) => [s.labels?.phase, Number(s.value)]));
    assert.deepEqual(phases, { idle: 0, disabled: 1, connecting: 0, live: 1, retrying: 1 });
    // A live channel without destinations has no series.
    assert.deepEqual(scraped.samples('shopcast_restream_destinations', { channel: 'quiet' }), []);
    assert.ok(!text.includes(STREAM_KEY) && !text.includes(DESTINATION_KEY));
  });

  test('recordings, event streams and held requests are read at scrape time', async () => {
    const { metrics, scrape } = setup();
    let held = 4;
    metrics.http.instrument(() => undefined, { held: () => held });
    let scraped = await scrape();
    assert.equal(scraped.sum('shopcast_recordings_bytes'), 5 * 1024 ** 2);
    assert.equal(scraped.sum('shopcast_recordings_quota_bytes'), 20 * 1024 ** 3);
    assert.equal(scraped.sum('shopcast_recordings'), 2);
    assert.equal(scraped.sum('shopcast_event_stream_clients'), 3);
    assert.equal(scraped.sum('shopcast_http_held_requests'), 4);
    held = 0;
    scraped = await scrape();
    assert.equal(scraped.sum('shopcast_http_held_requests'), 0);
  });
});
