// /metrics end to end with real processes: the scrape, read with an independent Prometheus text-format parser,
// follows Prometheus conventions, never carries a stream key or a raw path, and moves as a real FFmpeg publisher goes
// live, a viewer opens the product page's event stream and players fetch playlists; a configured token guards it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitForMaster } from './helpers/hls.js';
import { parseScrape, type Scrape } from './helpers/prometheus.js';
import { publish, type Publisher } from './helpers/publisher.js';
import { SseClient } from './helpers/sse.js';
import { startShopcast, waitFor, type Shopcast } from './helpers/shopcast.js';

const METRICS_TOKEN = 'e2e-metrics-token-0123456789abcdef';
const DEMO = { channel: 'demo' };

describe('metrics', () => {
  let sc: Shopcast;
  let publisher: Publisher | undefined;

  const metrics = (authorization?: string): Promise<Response> =>
    fetch(`${sc.httpUrl}/metrics`, { headers: authorization === undefined ? {} : { Authorization: authorization } });
  const scrape = async (): Promise<Scrape> => {
    const res = await metrics(`Bearer ${METRICS_TOKEN}`);
    assert.equal(res.status, 200);
    return parseScrape(await res.text());
  };
  const waitForFigure = (what: string, check: (scraped: Scrape) => boolean, timeoutMs = 30_000): Promise<Scrape> =>
    waitFor(what, async () => {
      const scraped = await scrape();
      return check(scraped) ? scraped : undefined;
    }, timeoutMs, 250);

  before(async () => {
    sc = await startShopcast({ name: 'metrics', env: { SHOPCAST_METRICS_TOKEN: METRICS_TOKEN } });
  });

  after(async () => {
    await publisher?.stop();
    await sc?.stop();
  });

  test('the token guards the scrape: 401 without it or with another, 200 and Prometheus text with it', async () => {
    for (const authorization of [undefined, 'Bearer not-the-metrics-token', `Bearer ${sc.adminToken}`]) {
      const res = await metrics(authorization);
      assert.equal(res.status, 401, String(authorization));
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
      await res.arrayBuffer();
    }
    const res = await metrics(`Bearer ${METRICS_TOKEN}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.ok(parseScrape(await res.text()).families.length > 0);
  });

  test('names, types and units follow Prometheus conventions, and nothing is live yet', async () => {
    const scraped = await scrape();
    const ours = scraped.families.filter((family) => family.name.startsWith('shopcast_'));
    for (const name of [
      'shopcast_live_streams',
      'shopcast_viewers',
      'shopcast_packager_segments_total',
      'shopcast_http_requests_total',
      'shopcast_http_request_duration_seconds',
      'shopcast_http_response_bytes_total',
      'shopcast_http_held_requests',
      'shopcast_event_stream_clients',
      'shopcast_recordings_bytes',
      'shopcast_recordings_quota_bytes',
    ]) {
      assert.ok(ours.some((family) => family.name === name), `${name} is exposed`);
    }
    for (const family of ours) {
      assert.equal(family.name.endsWith('_total'), family.type === 'COUNTER', `${family.name} is a ${family.type}`);
      assert.match(family.name, /^shopcast_[a-z0-9_]+$/);
    }
    assert.equal(scraped.family('shopcast_http_request_duration_seconds')?.type, 'HISTOGRAM');
    assert.ok(scraped.family('process_cpu_seconds_total'), 'process metrics');
    assert.ok(scraped.family('process_resident_memory_bytes'), 'process metrics');
    assert.equal(scraped.sum('shopcast_live_streams'), 0);
    assert.equal(scraped.sum('shopcast_recordings_quota_bytes'), 20_480 * 1024 * 1024);
  });

  test('a stream going live, a viewer and playlist requests move the figures', async () => {
    publisher = publish({ url: `${sc.rtmpUrl}/${sc.streamKey}`, width: 426, height: 240 });
    let scraped = await waitForFigure('the stream to be live', (s) => s.sum('shopcast_live_streams') === 1);
    scraped = await waitForFigure('segments to be published', (s) => s.sum('shopcast_packager_segments_total', DEMO) > 0, 60_000);
    const segments = scraped.sum('shopcast_packager_segments_total', DEMO);
    assert.ok(scraped.sum('shopcast_packager_playlist_updates_total', DEMO) > 0, 'playlist updates');
    scraped = await waitForFigure(
      'ingest and transcoder figures',
      (s) => s.sum('shopcast_ingest_bitrate_bits_per_second', DEMO) > 0 && s.samples('shopcast_transcoder_speed_ratio', DEMO).length === 1,
    );
    // The publisher sends 30 fps with a keyframe every 2 s.
    assert.ok(Math.abs(scraped.sum('shopcast_ingest_frames_per_second', DEMO) - 30) < 3);
    assert.ok(Math.abs(scraped.sum('shopcast_ingest_keyframe_interval_seconds', DEMO) - 2) < 0.2);
    assert.ok(scraped.sum('shopcast_ingest_received_bytes_total', DEMO) > 0);
    assert.ok(scraped.sum('shopcast_transcoder_cpu_seconds_total', DEMO) > 0, "FFmpeg's CPU time");
    assert.equal(scraped.sum('shopcast_transcoder_restarts_total', DEMO), 0);
    await waitForFigure('more segments', (s) => s.sum('shopcast_packager_segments_total', DEMO) > segments);

    // Players fetching playlists are counted under the route, with their status, timed.
    const route = { route: '/live/:slug/master.m3u8' };
    const master = { ...route, code: '200' };
    const before = scraped.sum('shopcast_http_requests_total', master);
    const answeredBefore = scraped.sum('shopcast_http_requests_total', route);
    const timedBefore = scraped.sum('shopcast_http_request_duration_seconds', route);
    await waitForMaster(sc);
    for (let i = 0; i < 3; i++) await (await sc.get('/live/demo/master.m3u8')).arrayBuffer();
    await (await sc.get(`/live/demo/master.m3u8?key=${sc.streamKey}`)).arrayBuffer();
    await (await sc.get('/live/nosuch/master.m3u8')).arrayBuffer();
    scraped = await scrape();
    const after = scraped.sum('shopcast_http_requests_total', master);
    assert.ok(after >= before + 4, `master playlist requests ${before} → ${after}`);
    // Every answer was sent whole, so each was timed.
    assert.equal(
      scraped.sum('shopcast_http_request_duration_seconds', route) - timedBefore,
      scraped.sum('shopcast_http_requests_total', route) - answeredBefore,
    );
    assert.ok(scraped.sum('shopcast_http_requests_total', { ...route, code: '404' }) >= 1);
    assert.ok(scraped.sum('shopcast_http_response_bytes_total', route) > 0);

    // A shopper's page counts as a viewer while its event stream is open.
    assert.equal(scraped.sum('shopcast_viewers', DEMO), 0);
    const events = new SseClient(`${sc.httpUrl}/api/channels/demo/events?viewer=1`);
    scraped = await waitForFigure('the viewer to be counted', (s) => s.sum('shopcast_viewers', DEMO) === 1, 10_000);
    assert.equal(scraped.sum('shopcast_event_stream_clients'), 1);
    await events.close();
    scraped = await waitForFigure('the viewer to leave', (s) => s.sum('shopcast_viewers', DEMO) === 0, 10_000);
    assert.equal(scraped.sum('shopcast_event_stream_clients'), 0);
    assert.ok(scraped.sum('shopcast_http_requests_total', { route: '/api/channels/:slug/events', code: '200' }) >= 1);

    // No label value is a key, a raw path or a query: channels are slugs, routes are templates.
    for (const value of scraped.labelValues()) {
      assert.ok(!value.includes(sc.streamKey), 'the stream key never appears');
      assert.doesNotMatch(value, /\?|nosuch|\/live\/demo|\/api\/channels\/demo/, `label value ${value}`);
    }
    for (const sample of scraped.samples('shopcast_http_requests_total')) {
      assert.match(sample.labels?.route ?? '', /^(static|other|\/|(\/[a-z0-9_.:-]+)+)$/, `route ${sample.labels?.route}`);
    }
  });
});
