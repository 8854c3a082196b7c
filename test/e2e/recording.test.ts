// Recording end to end: a show that lives through an FFmpeg crash, a seller reconnect and a gateway restart is one
// replay, VOD HLS and static DASH over the segments shoppers saw live, with its pin at the moment it was made; a seller
// deletes it and its URLs answer 410; a full recordings quota stops the recording, never the show.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type HLS from 'hls-parser';
import type { StreamReport } from '../../src/origin/api/schemas.js';
import { call } from './helpers/api.js';
import { DESKTOP, launchBrowser } from '../browser/helpers/browser.js';
import { parseMpd, segmentNumbers } from './helpers/dash.js';
import { parseMaster, parseMedia, probeStreams } from './helpers/hls.js';
import { publish, type Publisher } from './helpers/publisher.js';
import { OUTPUT_DIR, startShopcast, waitFor, type Shopcast } from './helpers/shopcast.js';

const execFileAsync = promisify(execFile);
const RECONNECT_WINDOW_S = 10;

interface ReplaySummary {
  status: string;
  durationS: number;
  pageUrl: string;
  hlsUrl: string;
  dashUrl: string;
  posterUrl: string;
}
interface ShowSummary {
  id: string;
  endedAt: string | null;
  durationS: number;
  replay: ReplaySummary | null;
}
interface Replay {
  show: ShowSummary;
  pins: { id: string; productId: string; pinnedAt: string; offsetS: number; endOffsetS: number | null }[];
  chat: { text: string; at: string; offsetS: number }[];
}

/** Every segment a rung's live playlist listed while it was polled: msn → duration. */
class LiveLog {
  readonly segments = new Map<number, number>();
  #stop = false;
  #done: Promise<void> | undefined;

  follow(gateway: () => Shopcast, uri: string): void {
    this.#done = (async () => {
      while (!this.#stop) {
        const answer = await gateway().get(`/live/demo/${uri}`).catch(() => undefined);
        if (answer?.ok) {
          const playlist = parseMedia(await answer.text());
          playlist.segments.forEach((segment, i) => this.segments.set(playlist.mediaSequenceBase! + i, segment.duration));
        }
        await sleep(500);
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stop = true;
    await this.#done;
  }

  get durationS(): number {
    return [...this.segments.values()].reduce((sum, d) => sum + d, 0);
  }
}

async function lowestRung(sc: Shopcast): Promise<string> {
  const master = parseMaster(await waitFor('the master playlist', async () => {
    const answer = await sc.get('/live/demo/master.m3u8');
    return answer.ok ? answer.text() : undefined;
  }, 30_000));
  return master.variants.at(-1)!.uri;
}

async function showOf(sc: Shopcast, id: string): Promise<ShowSummary> {
  return sc.json<ShowSummary>(`/api/shows/${id}`);
}

async function currentShowId(sc: Shopcast): Promise<string> {
  return waitFor('a show on the channel', async () => (await sc.json<{ show: { id: string } | null }>('/api/channels/demo')).show?.id, 15_000);
}

async function transcoderPid(sc: Shopcast, other?: number): Promise<number> {
  return waitFor('a running transcoder', async () => {
    const t = (await sc.adminJson<{ streams: StreamReport[] }>('/api/streams')).streams[0]?.transcoder;
    return t?.pid != null && t.pid !== other && t.state === 'running' ? t.pid : undefined;
  }, 20_000, 100);
}

describe('recording', { timeout: 300_000 }, () => {
  /** Every gateway started, each stopped at the end whatever the test did with it. */
  const gateways: Shopcast[] = [];
  let publisher: Publisher | undefined;
  const start = async (opts: Parameters<typeof startShopcast>[0]): Promise<Shopcast> => {
    const gateway = await startShopcast(opts);
    gateways.push(gateway);
    return gateway;
  };

  after(async () => {
    await publisher?.stop();
    await Promise.all(gateways.map((gateway) => gateway.stop()));
  });

  test('a show through an FFmpeg crash, a reconnect and a gateway restart is one replay of what was live; deleting it makes it gone', async (t) => {
    const env = { SHOPCAST_RECONNECT_WINDOW_S: String(RECONNECT_WINDOW_S) };
    let gateway = await start({ name: 'recording', env });
    const live = new LiveLog();
    const go = (): Publisher => publish({ url: `${gateway.rtmpUrl}/${gateway.streamKey}`, width: 640, height: 360 });
    publisher = go();
    const rung = await lowestRung(gateway);
    live.follow(() => gateway, rung);
    const showId = await currentShowId(gateway);
    const { products } = await gateway.json<{ products: { id: string }[] }>('/api/channels/demo/products');
    await sleep(4000);
    assert.equal((await showOf(gateway, showId)).replay?.status, 'recording', 'a live show is being recorded');
    const poster = await waitFor('a live poster', async () => {
      const answer = await gateway.get('/live/demo/poster.jpg');
      return answer.ok ? answer : undefined;
    }, 15_000, 500);
    assert.equal(poster.headers.get('content-type'), 'image/jpeg');
    assert.equal(poster.headers.get('cache-control'), 'public, max-age=5');
    await assertPicture(Buffer.from(await poster.arrayBuffer()), 'the live poster');

    const pinned = await call<{ pinnedAt: string }>(gateway, 'POST', '/api/channels/demo/pins', { token: gateway.adminToken, body: { productId: products[0]!.id } });
    assert.equal(pinned.status, 201, JSON.stringify(pinned.body));
    const said = await call(gateway, 'POST', '/api/channels/demo/chat', { body: { name: 'Ann', text: 'does it come in red?' } });
    assert.equal(said.status, 201, JSON.stringify(said.body));

    // FFmpeg crashes.
    process.kill(await transcoderPid(gateway), 'SIGKILL');
    await sleep(5000);
    // The seller's encoder drops and comes back.
    await publisher.stop();
    await sleep(2000);
    publisher = go();
    await sleep(5000);
    // The gateway is restarted (a deploy): the encoder reconnects to the new process.
    const { httpPort, rtmpPort, dataDir } = gateway;
    await publisher.stop();
    await gateway.stop('SIGTERM');
    gateway = await start({ name: 'recording-restarted', env, dataDir, httpPort, rtmpPort, streamKey: gateway.streamKey });
    publisher = go();
    await waitFor('the resumed show live again', async () => (await gateway.json<{ show: { id: string } | null }>('/api/channels/demo')).show?.id === showId, 20_000);
    await sleep(8000);
    const unpinned = await call(gateway, 'DELETE', `/api/channels/demo/pins/${products[0]!.id}`, { token: gateway.adminToken });
    assert.equal(unpinned.status, 204);
    await sleep(3000);
    await publisher.stop();
    publisher = undefined;

    const ended = await waitFor('the replay ready', async () => {
      const show = await showOf(gateway, showId);
      return show.replay?.status === 'ready' ? show : undefined;
    }, (RECONNECT_WINDOW_S + 15) * 1000, 500);
    await live.stop();
    const replay = ended.replay!;
    assert.deepEqual(
      { pageUrl: replay.pageUrl, hlsUrl: replay.hlsUrl, dashUrl: replay.dashUrl },
      { pageUrl: `/replay/${showId}`, hlsUrl: `/vod/${showId}/master.m3u8`, dashUrl: `/vod/${showId}/manifest.mpd` },
    );
    const { shows } = await gateway.json<{ shows: ShowSummary[] }>('/api/channels/demo/shows');
    assert.equal(shows[0]!.id, showId, 'one show: the crash, the reconnect and the restart did not start another');

    // The replay is what was live: the same segments, in order, with the seams marked.
    const vodMaster = parseMaster(await gateway.text(replay.hlsUrl));
    assert.ok(vodMaster.variants.length >= 2, 'the replay offers the ladder');
    const vodUri = vodMaster.variants.at(-1)!.uri;
    const vodText = await gateway.text(`/vod/${showId}/${vodUri}`);
    assert.match(vodText, /^#EXT-X-PLAYLIST-TYPE:VOD$/m);
    assert.match(vodText, /^#EXT-X-ENDLIST$/m);
    const vod = parseMedia(vodText);
    const vodDurationS = vod.segments.reduce((sum, s) => sum + s.duration, 0);
    t.diagnostic(`live: ${live.segments.size} segments, ${live.durationS.toFixed(2)} s; replay: ${vod.segments.length} segments, ${vodDurationS.toFixed(2)} s`);
    assert.ok(Math.abs(vodDurationS - live.durationS) <= 2.1, `replay ${vodDurationS.toFixed(2)} s, live ${live.durationS.toFixed(2)} s`);
    assert.ok(Math.abs(replay.durationS - vodDurationS) < 0.01, 'the API says the playlist\'s duration');
    assert.equal(vod.segments.length, live.segments.size, 'every live segment recorded, none added');
    const seams = vod.segments.filter((s) => s.discontinuity).length;
    assert.ok(seams >= 3, `${seams} discontinuities: the crash, the reconnect and the restart`);
    assert.ok(vod.segments.every((s) => s.programDateTime !== undefined), 'every segment has its program date time');

    // Each run's first segment and the last decode, on every rung.
    const firsts = vod.segments.filter((s, i) => i === 0 || s.discontinuity || i === vod.segments.length - 1);
    for (const variant of vodMaster.variants) {
      const base = `/vod/${showId}/${path.posix.dirname(variant.uri)}`;
      for (const segment of firsts) {
        const init = Buffer.from(await (await gateway.get(`${base}/${segment.map.uri}`)).arrayBuffer());
        const media = Buffer.from(await (await gateway.get(`${base}/${segment.uri}`)).arrayBuffer());
        const streams = await probeStreams(init, media, path.join(OUTPUT_DIR, `recording-${segment.uri}`));
        assert.ok(streams.some((s) => s.type === 'video' && s.frames > 0), `${base}/${segment.uri} has video`);
      }
    }

    // The pin is on the replay's timeline where its moment is in the recording, as the segments' PDTs say.
    const details = await gateway.json<Replay>(`/api/shows/${showId}/replay`);
    const pin = details.pins[0]!;
    const expected = offsetOf(vod.segments, Date.parse(pin.pinnedAt));
    assert.ok(Math.abs(pin.offsetS - expected) < 0.05, `pin at ${pin.offsetS} s, its PDT says ${expected.toFixed(3)} s`);
    assert.ok(pin.endOffsetS !== null && pin.endOffsetS > pin.offsetS + 10, `unpinned later, at ${pin.endOffsetS} s`);
    assert.equal(details.chat.length, 1);
    assert.ok(Math.abs(details.chat[0]!.offsetS - offsetOf(vod.segments, Date.parse(details.chat[0]!.at))) < 0.05);

    // Pictures of the replay: its poster and the moment of the pin.
    await assertPicture(Buffer.from(await (await gateway.get(replay.posterUrl)).arrayBuffer()), 'the replay\'s poster');
    const pinPicture = await gateway.get(`/vod/${showId}/pin-${details.pins[0]!.id}.jpg`);
    assert.equal(pinPicture.status, 200);
    assert.equal(pinPicture.headers.get('cache-control'), 'public, max-age=86400');
    await assertPicture(Buffer.from(await pinPicture.arrayBuffer()), 'the pin\'s picture');

    // The static DASH manifest: one period per run, the whole timeline, its track files cut from the recording.
    const mpd = parseMpd(await gateway.text(replay.dashUrl));
    assert.equal(mpd.type, 'static');
    assert.equal(mpd.Period.length, new Set(vod.segments.map((s) => s.map.uri)).size, 'a period per init segment');
    const [video] = mpd.Period.at(-1)!.AdaptationSet;
    const template = video!.SegmentTemplate;
    const trackBase = `/vod/${showId}/${video!.Representation.at(-1)!.BaseURL}`;
    const trackInit = Buffer.from(await (await gateway.get(trackBase + template.initialization)).arrayBuffer());
    const number = String(segmentNumbers(template).at(-1));
    const trackMedia = Buffer.from(await (await gateway.get(trackBase + template.media.replace('$Number$', number))).arrayBuffer());
    const dashStreams = await probeStreams(trackInit, trackMedia, path.join(OUTPUT_DIR, 'recording-dash.m4s'));
    assert.deepEqual(dashStreams.map((s) => s.type), ['video'], 'a DASH video segment of the replay decodes');

    // The replay in the browser, from its start to its end (played fast), with its product card at the pin.
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage(DESKTOP);
      await page.goto(`${gateway.httpUrl}${replay.pageUrl}`);
      await page.waitForFunction(() => {
        const v = document.querySelector('video');
        return v !== null && v.currentTime > 0.5 && !v.paused;
      }, null, { timeout: 20_000 });
      await page.evaluate((at) => {
        const v = document.querySelector('video')!;
        v.currentTime = at;
      }, pin.offsetS + 0.5);
      await page.waitForFunction((id) => (window as unknown as { shopcast?: { visibleProducts: string[] } }).shopcast?.visibleProducts.includes(id), pin.productId, { timeout: 10_000 });
      await page.evaluate(() => {
        document.querySelector('video')!.playbackRate = 4;
      });
      await page.waitForFunction(() => document.querySelector('video')!.ended, null, { timeout: (vodDurationS / 4 + 20) * 1000, polling: 200 });
      const end = await page.evaluate(() => document.querySelector('video')!.currentTime);
      assert.ok(Math.abs(end - vodDurationS) < 1, `the browser played to ${end.toFixed(2)} s of ${vodDurationS.toFixed(2)} s, across every seam`);
    } finally {
      await browser.close();
    }

    // The seller deletes it: files gone, URLs 410, the API says so.
    const refused = await call(gateway, 'DELETE', `/api/shows/${showId}/recording`);
    assert.equal(refused.status, 401, 'deleting needs a token');
    const deleted = await call(gateway, 'DELETE', `/api/shows/${showId}/recording`, { token: gateway.adminToken });
    assert.equal(deleted.status, 204);
    assert.equal((await gateway.get(replay.hlsUrl)).status, 410);
    assert.equal((await gateway.get(`/vod/${showId}/${vodUri}`)).status, 410);
    assert.equal((await gateway.get(replay.posterUrl)).status, 410);
    assert.equal((await gateway.get(`/api/shows/${showId}/replay`)).status, 410);
    assert.equal((await showOf(gateway, showId)).replay?.status, 'deleted');
    assert.ok(!existsSync(path.join(gateway.dataDir, 'recordings', showId, path.posix.dirname(vodUri))), 'its files are gone');
    assert.equal((await gateway.get(`/vod/00000000-0000-4000-8000-000000000000/master.m3u8`)).status, 404, 'an unknown show is not found');
  });

  test('a full quota stops the recording with a clear status; the live show goes on', async () => {
    // A few segments of a 640×360 ladder from an 800 kb/s source fit (about 0.3 MB each, every rung).
    const gateway = await start({ name: 'recording-quota', env: { SHOPCAST_RECONNECT_WINDOW_S: '2', SHOPCAST_RECORDINGS_QUOTA_MB: '1' } });
    publisher = publish({ url: `${gateway.rtmpUrl}/${gateway.streamKey}`, width: 640, height: 360, bitrateKbps: 800 });
    const rung = await lowestRung(gateway);
    const showId = await currentShowId(gateway);
    await waitFor('the recording stopped', async () => (await showOf(gateway, showId)).replay?.status === 'stopped', 30_000, 500);
    const atStop = parseMedia(await gateway.text(`/live/demo/${rung}`));
    await waitFor('the live show going on', async () => {
      const now = parseMedia(await gateway.text(`/live/demo/${rung}`));
      return now.mediaSequenceBase! + now.segments.length >= atStop.mediaSequenceBase! + atStop.segments.length + 2;
    }, 15_000);
    assert.ok(gateway.logs().some((line) => /recordings quota is full/.test(String(line.msg))), 'one log line says why');
    await publisher.stop();
    publisher = undefined;
    const show = await waitFor('the replay ready', async () => {
      const s = await showOf(gateway, showId);
      return s.replay?.status === 'ready' ? s : undefined;
    }, 20_000, 500);
    const vod = parseMedia(await gateway.text(`/vod/${showId}/${rung}`));
    assert.ok(vod.segments.length >= 1, 'what fitted is a replay');
    assert.ok(show.durationS > show.replay!.durationS + 4, `the replay (${show.replay!.durationS} s) stops where the quota was reached, the show went on (${show.durationS} s)`);
  });
});

/** A JPEG ffprobe reads as a picture at most 640 wide. */
async function assertPicture(bytes: Buffer, what: string): Promise<void> {
  const file = path.join(OUTPUT_DIR, `recording-picture-${Date.now()}.jpg`);
  await writeFile(file, bytes);
  const { stdout } = await execFileAsync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width', '-of', 'json', file]);
  const stream = (JSON.parse(stdout) as { streams: { codec_name: string; width: number }[] }).streams[0];
  assert.equal(stream?.codec_name, 'mjpeg', what);
  assert.ok(stream.width > 0 && stream.width <= 640, `${what}: ${stream.width} wide`);
}

/** Seconds into the replay of the moment `atMs`, from the playlist's program date times. */
function offsetOf(segments: readonly HLS.types.Segment[], atMs: number): number {
  let start = 0;
  for (const segment of segments) {
    const pdt = segment.programDateTime!.getTime();
    if (atMs < pdt) return start;
    if (atMs < pdt + segment.duration * 1000) return start + (atMs - pdt) / 1000;
    start += segment.duration;
  }
  return start;
}
