// A live show survives the gateway: killed with -9 (a crash) or stopped with SIGTERM (a deploy) and started again on
// the same data folder, a seller who comes back within the reconnect window continues the same show on every rung,
// and only after the window does it end. A deleted channel's media and state go, and its slug starts clean.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type HLS from 'hls-parser';
import { parseMaster, parseMedia, waitForMaster } from './helpers/hls.js';
import { publish, type Publisher } from './helpers/publisher.js';
import { SseClient } from './helpers/sse.js';
import { startShopcast, waitFor, type Shopcast } from './helpers/shopcast.js';

const ADMIN_TOKEN = 'sc_e2e-restart-admin-token-0123456789';
const RECONNECT_WINDOW_S = 12;

interface Show {
  id: string;
  channel: string;
  endedAt: string | null;
}

async function api(sc: Shopcast, method: string, urlPath: string, body?: unknown): Promise<Response> {
  return fetch(sc.httpUrl + urlPath, {
    method,
    headers: {
      Authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function rungs(sc: Shopcast, slug = 'demo'): Promise<string[]> {
  return parseMaster(await sc.text(`/live/${slug}/master.m3u8`)).variants.map((v) => v.uri);
}

async function media(sc: Shopcast, uri: string, slug = 'demo'): Promise<{ text: string; playlist: HLS.types.MediaPlaylist }> {
  const text = await sc.text(`/live/${slug}/${uri}`);
  return { text, playlist: parseMedia(text) };
}

const lastMsn = (p: HLS.types.MediaPlaylist): number => p.mediaSequenceBase! + p.segments.length - 1;
const dateRangeIds = (text: string): string[] =>
  [...text.matchAll(/^#EXT-X-DATERANGE:ID="([^"]+)"/gm)].map((match) => match[1]!);

/** Every URI a media playlist lists (segments and their init segments). */
function listedFiles(p: HLS.types.MediaPlaylist): string[] {
  return [...new Set(p.segments.flatMap((s) => [s.uri, s.map.uri]))];
}

for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
  describe(`a gateway stopped with ${signal} mid-show`, { timeout: 240_000 }, () => {
    let sc: Shopcast | undefined;
    let publisher: Publisher | undefined;

    after(async () => {
      await publisher?.stop();
      await sc?.stop();
    });

    test('restarted on the same data folder, the seller reconnecting continues the same show; it ends after the window', async () => {
      const env = { SHOPCAST_ADMIN_TOKEN: ADMIN_TOKEN, SHOPCAST_RECONNECT_WINDOW_S: String(RECONNECT_WINDOW_S) };
      let gateway = await startShopcast({ name: `restart-${signal}`, env });
      sc = gateway;
      publisher = publish({ url: `${gateway.rtmpUrl}/${gateway.streamKey}` });
      await waitForMaster(gateway);
      const uris = await rungs(gateway);
      assert.ok(uris.length >= 2, `a ladder: ${uris.join(', ')}`);
      for (const uri of uris) {
        await waitFor(`3 segments on ${uri}`, async () => (await media(gateway, uri)).playlist.segments.length >= 3, 30_000);
      }
      const showId = (await gateway.json<{ show: { id: string } | null }>('/api/channels/demo')).show?.id;
      assert.ok(showId, 'a show is on');
      const { products } = await gateway.json<{ products: { id: string }[] }>('/api/channels/demo/products');
      const pinned = await api(gateway, 'POST', '/api/channels/demo/pins', { productId: products[0]!.id });
      assert.equal(pinned.status, 201);
      const rangeId = `pin-${((await pinned.json()) as { id: string }).id}`;
      for (const uri of uris) {
        await waitFor(`the pin on ${uri}`, async () => dateRangeIds((await media(gateway, uri)).text).includes(rangeId));
      }

      const before = new Map<string, HLS.types.MediaPlaylist>();
      for (const uri of uris) before.set(uri, (await media(gateway, uri)).playlist);
      // What a product page hears while the gateway goes: never that the show ended.
      const page = new SseClient(`${gateway.httpUrl}/api/channels/demo/events?viewer=1`);
      await page.next('the snapshot', () => true, 'snapshot');
      const code = await gateway.stop(signal);
      assert.equal(code, signal === 'SIGTERM' ? 0 : null, `exit code after ${signal}`);
      // A killed gateway cuts the stream mid-read: that is how it ends here, not a failure.
      await page.stop();
      const told = page.named('state').map((e) => (JSON.parse(e.data) as { state: string }).state);
      assert.ok(!told.includes('ended'), `pages were told ${told.join(', ')} while the gateway stopped`);
      await publisher.stop();
      if (signal === 'SIGTERM') {
        const log = gateway.logs();
        assert.ok(!log.some((line) => line.msg === 'show ended'), 'a deploy ends no show');
      }

      gateway = await startShopcast({ name: `restart-${signal}-again`, env, dataDir: gateway.dataDir, streamKey: gateway.streamKey });
      sc = gateway;
      // Before the seller is back: the show is served as it was, waiting for its publisher.
      assert.deepEqual(await rungs(gateway), uris, 'the master playlist is unchanged');
      const channel = await gateway.json<{ state: string; playable: boolean; show: { id: string } | null }>('/api/channels/demo');
      assert.deepEqual([channel.state, channel.playable, channel.show?.id], ['reconnecting', true, showId]);
      for (const uri of uris) {
        const { text, playlist } = await media(gateway, uri);
        const old = before.get(uri)!;
        assert.ok(!playlist.endlist, `${uri}: no ENDLIST while the window is open`);
        assert.ok(playlist.mediaSequenceBase! >= old.mediaSequenceBase!, `${uri}: the media sequence did not go back`);
        assert.ok(lastMsn(playlist) >= lastMsn(old), `${uri}: every segment listed before is still counted`);
        assert.ok(dateRangeIds(text).includes(rangeId), `${uri}: the pin is kept`);
        const dir = path.posix.dirname(uri);
        for (const file of listedFiles(old)) {
          const res = await gateway.get(`/live/demo/${dir}/${file}`);
          assert.equal(res.status, 200, `${uri}: ${file}, listed before the restart, is served`);
          await res.arrayBuffer();
        }
      }

      publisher = publish({ url: `${gateway.rtmpUrl}/${gateway.streamKey}` });
      for (const uri of uris) {
        const old = before.get(uri)!;
        const { text, playlist } = await waitFor(`${uri}: new segments after the reconnect`, async () => {
          const now = await media(gateway, uri);
          return lastMsn(now.playlist) >= lastMsn(old) + 2 ? now : undefined;
        }, 30_000, 200);
        assert.ok(playlist.mediaSequenceBase! >= old.mediaSequenceBase!, `${uri}: media sequence never goes back`);
        const msns = playlist.segments.map((s) => s.mediaSequenceNumber);
        assert.deepEqual(msns, msns.map((_, i) => playlist.mediaSequenceBase! + i), `${uri}: sequence numbers without a hole`);
        const firstNew = playlist.segments.findIndex((s) => s.mediaSequenceNumber > lastMsn(old) && s.discontinuity);
        assert.ok(firstNew >= 0, `${uri}: EXT-X-DISCONTINUITY at the gap`);
        assert.ok(
          playlist.segments.slice(0, firstNew).every((s) => !s.discontinuity || s.mediaSequenceNumber <= lastMsn(old)),
          `${uri}: the gap is the first break after the old segments`,
        );
        const pdts = playlist.segments.map((s) => s.programDateTime!.getTime());
        assert.ok(pdts.every((t, i) => i === 0 || t > pdts[i - 1]!), `${uri}: program date times increase`);
        assert.ok(dateRangeIds(text).includes(rangeId), `${uri}: the pin is still listed`);
        const newSegment = playlist.segments.at(-1)!;
        const segment = await gateway.get(`/live/demo/${path.posix.dirname(uri)}/${newSegment.uri}`);
        assert.equal(segment.status, 200);
        await segment.arrayBuffer();
      }
      const live = await gateway.json<{ state: string; show: { id: string } | null }>('/api/channels/demo');
      assert.deepEqual([live.state, live.show?.id], ['live', showId], 'the same show goes on');
      const { shows } = await gateway.json<{ shows: Show[] }>('/api/shows');
      assert.deepEqual(shows.filter((s) => s.channel === 'demo').map((s) => [s.id, s.endedAt]), [[showId, null]], 'one show, still on');
      assert.equal((await gateway.json<{ pins: { id: string }[] }>('/api/channels/demo/pins')).pins.length, 1, 'the pin is still up');

      await publisher.stop();
      publisher = undefined;
      for (const uri of uris) {
        await waitFor(`${uri}: ENDLIST after the window`, async () => (await media(gateway, uri)).playlist.endlist,
          (RECONNECT_WINDOW_S + 20) * 1000, 500);
      }
      const ended = await gateway.json<Show>(`/api/shows/${showId}`);
      assert.ok(ended.endedAt, 'the show record ended with the window');
    });
  });
}

describe('a deleted channel', { timeout: 180_000 }, () => {
  let sc: Shopcast | undefined;
  let publisher: Publisher | undefined;

  after(async () => {
    await publisher?.stop();
    await sc?.stop();
  });

  test('its playlists 404 at once, its files and state go, and a new channel with its slug never shows the old show', async () => {
    const env = { SHOPCAST_ADMIN_TOKEN: ADMIN_TOKEN, SHOPCAST_RECONNECT_WINDOW_S: '1', SHOPCAST_SEGMENT_GRACE_S: '3' };
    const gateway = await startShopcast({ name: 'restart-deleted', env });
    sc = gateway;
    const create = async (): Promise<string> => {
      const res = await api(gateway, 'POST', '/api/channels', { slug: 'lamps', title: 'Lamps' });
      assert.equal(res.status, 201);
      return ((await res.json()) as { streamKey: string }).streamKey;
    };
    publisher = publish({ url: `${gateway.rtmpUrl}/${await create()}` });
    await waitForMaster(gateway, 'lamps');
    const [uri] = await rungs(gateway, 'lamps');
    const { playlist } = await waitFor('2 segments', async () => {
      const now = await media(gateway, uri!, 'lamps');
      return now.playlist.segments.length >= 2 ? now : undefined;
    }, 30_000);
    await publisher.stop();
    publisher = undefined;
    await waitFor('ENDLIST', async () => (await media(gateway, uri!, 'lamps')).playlist.endlist, 30_000, 200);
    const stateFile = path.join(gateway.dataDir, 'packager', 'lamps.json');
    assert.ok(existsSync(stateFile), 'the show state is persisted');
    const segmentUrl = `/live/lamps/${path.posix.dirname(uri!)}/${playlist.segments[0]!.uri}`;
    const segmentFile = path.join(gateway.dataDir, 'media', 'lamps', path.posix.dirname(uri!), playlist.segments[0]!.uri);

    assert.equal((await api(gateway, 'DELETE', '/api/channels/lamps')).status, 204);
    assert.equal((await gateway.get('/live/lamps/master.m3u8')).status, 404, 'master playlist gone at once');
    assert.equal((await gateway.get(`/live/lamps/${uri}`)).status, 404, 'media playlist gone at once');
    await waitFor('the state file to go', () => !existsSync(stateFile), 5_000);
    await waitFor('the files to go after the grace', async () => {
      const res = await gateway.get(segmentUrl);
      await res.arrayBuffer();
      return res.status === 404 && !existsSync(segmentFile);
    }, 10_000, 200);

    publisher = publish({ url: `${gateway.rtmpUrl}/${await create()}` });
    const fresh = await waitFor('the new channel\'s first segment', async () => {
      const res = await gateway.get(`/live/lamps/${uri}`);
      return res.ok ? parseMedia(await res.text()) : undefined;
    }, 30_000, 200);
    assert.equal(fresh.mediaSequenceBase, 0, 'a new show, numbered from 0');
    assert.ok(!fresh.endlist);
    const prefix = (name: string): string => name.split('-')[0]!;
    assert.notEqual(prefix(fresh.segments[0]!.uri), prefix(playlist.segments[0]!.uri), 'a new show id');
  });
});
