// Restreaming end to end: a seller live on shopcast is pushed to two real receivers, one over RTMP and one over RTMPS
// (nginx-rtmp, behind nginx's TLS stream proxy for the second); receivers fail and come back, a destination is added
// mid-show, and the show's own HLS output never notices.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PushState } from '../../src/restream/push-state.js';
import { call } from './helpers/api.js';
import { publish, type Publisher } from './helpers/publisher.js';
import { probeRecording, startRtmpReceiver, type RtmpReceiver } from './helpers/rtmp-receiver.js';
import { startShopcast, waitFor, type Shopcast } from './helpers/shopcast.js';

const SHOW_S = 24;
const BASE = '/api/channels/demo/destinations';

interface Destination {
  id: string;
  name: string;
  state: PushState;
}

let sc: Shopcast;
let plain: RtmpReceiver;
let secure: RtmpReceiver;
let publisher: Publisher | undefined;

before(async () => {
  [plain, secure] = await Promise.all([startRtmpReceiver({ name: 'plain' }), startRtmpReceiver({ name: 'secure', tls: true })]);
  // The RTMPS receiver's certificate is self-signed: the gateway trusts it the way an operator trusts a private CA.
  sc = await startShopcast({ name: 'restream', env: { NODE_EXTRA_CA_CERTS: secure.caFile, SHOPCAST_RECONNECT_WINDOW_S: '2' } });
});

after(async () => {
  await publisher?.stop();
  await sc?.stop();
  await Promise.all([plain?.stop(), secure?.stop()]);
});

async function add(name: string, url: string, streamKey: string, rung = 'source'): Promise<Destination> {
  const answer = await call<Destination>(sc, 'POST', BASE, { token: sc.adminToken, body: { name, url, streamKey, rung } });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body;
}

async function phaseOf(id: string): Promise<PushState> {
  const { body } = await call<{ destinations: Destination[] }>(sc, 'GET', BASE, { token: sc.adminToken });
  const found = body.destinations.find((d) => d.id === id);
  assert.ok(found, `destination ${id} listed`);
  return found.state;
}

const live = (id: string, timeoutMs = 15_000) => waitFor(`${id} live`, async () => (await phaseOf(id)).phase === 'live', timeoutMs, 200);

/** The lowest rung's playlist, as a player reads it: its newest sequence number and whether it has a seam. */
async function hls(): Promise<{ lastMsn: number; discontinuities: number }> {
  const master = await sc.text('/live/demo/master.m3u8');
  const rung = master.split('\n').filter((line) => line.endsWith('index.m3u8')).at(-1)!;
  const media = await sc.text(`/live/demo/${rung}`);
  const sequence = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(media)?.[1]);
  const segments = media.split('\n').filter((line) => line.startsWith('#EXTINF')).length;
  return { lastMsn: sequence + segments - 1, discontinuities: media.split('\n').filter((line) => line === '#EXT-X-DISCONTINUITY').length };
}

test('a show restreamed over RTMP and RTMPS: receivers fail alone, come back, and one added mid-show joins; HLS never notices', { timeout: 180_000 }, async (t) => {
  const first = await add('plain RTMP', plain.rtmpUrl, 'plain-key-0123456789');
  const second = await add('RTMPS', secure.rtmpsUrl!, 'secure-key-0123456789');
  // A platform that wants less gets shopcast's own 240p rung, no encode of its own.
  const small = await add('RTMPS, 240p', secure.rtmpsUrl!, 'small-key-0123456789', '240p');

  const startedMs = Date.now();
  publisher = publish({ url: `${sc.rtmpUrl}/${sc.streamKey}`, durationS: SHOW_S, width: 640, height: 360 });
  await Promise.all([live(first.id), live(second.id), live(small.id)]);
  t.diagnostic(`both destinations live ${((Date.now() - startedMs) / 1000).toFixed(1)} s after the publisher started`);
  await waitFor('the show playable', () => sc.get('/live/demo/master.m3u8').then((r) => r.ok), 15_000);

  // The plain receiver dies: its push retries with the receiver's words, the other push and the show go on.
  const before = await hls();
  const securePath = secure.recordings('secure-key-0123456789')[0]!;
  await plain.kill();
  const failing = await waitFor('the plain push retrying', async () => {
    const state = await phaseOf(first.id);
    return state.phase === 'retrying' || (state.phase === 'connecting' && state.failures > 0) ? state : false;
  }, 10_000, 100);
  t.diagnostic(`plain receiver killed: ${failing.phase} (${failing.reason ?? ''})`);
  assert.equal((await phaseOf(second.id)).phase, 'live', 'the RTMPS push is untouched');
  const secureBefore = statSync(securePath).size;
  await sleep(4_000);
  assert.ok(statSync(securePath).size > secureBefore, 'the RTMPS receiver kept receiving');
  // What it sends is what the publisher sends: 2.5 Mb/s of video and 128 kb/s of audio.
  const secureState = await phaseOf(second.id);
  assert.equal(secureState.phase, 'live');
  assert.ok(secureState.bitrateKbps !== null && secureState.bitrateKbps > 2000 && secureState.bitrateKbps < 3500, `RTMPS push at ${secureState.bitrateKbps} kb/s`);
  const smallState = await phaseOf(small.id);
  assert.equal(smallState.phase, 'live');
  assert.ok(smallState.bitrateKbps !== null && smallState.bitrateKbps < 800, `the 240p push at ${smallState.bitrateKbps} kb/s`);
  const during = await hls();
  assert.ok(during.lastMsn >= before.lastMsn + 1, `segments kept coming: ${before.lastMsn} → ${during.lastMsn}`);
  assert.equal(during.discontinuities, 0, 'no seam in the HLS output');

  // It comes back: the push reconnects on its own, within its back-off.
  await plain.restart();
  await live(first.id, 20_000);
  assert.equal(plain.recordings('plain-key-0123456789').length, 2, 'a second publish on the plain receiver');

  // A destination added mid-show starts receiving, without a seam in the HLS output either.
  const third = await add('RTMPS, second key', secure.rtmpsUrl!, 'late-key-0123456789');
  await live(third.id);
  await waitFor('the late recording', () => secure.recordings('late-key-0123456789').length === 1, 10_000);

  await publisher.exited;
  assert.equal((await hls()).discontinuities, 0, 'no seam in the HLS output, the whole show');
  await waitFor('every push idle after the show', async () => {
    const states = await Promise.all([first, second, third, small].map((d) => phaseOf(d.id)));
    return states.every((state) => state.phase === 'idle');
  }, 15_000, 200);

  // What the receivers got: H.264 and AAC; the RTMPS push, there from the start, as long as the show.
  const whole = await probeRecording(securePath);
  assert.deepEqual(whole.codecs, ['aac', 'h264']);
  assert.ok(Math.abs(whole.videoDurationS - SHOW_S) <= 1, `RTMPS receiver got ${whole.videoDurationS.toFixed(2)} s of a ${SHOW_S} s show`);
  const smaller = await probeRecording(secure.recordings('small-key-0123456789')[0]!);
  assert.deepEqual({ codecs: smaller.codecs, height: smaller.height }, { codecs: ['aac', 'h264'], height: 240 }, 'the 240p rung, with its audio');
  assert.ok(Math.abs(smaller.videoDurationS - SHOW_S) <= 1, `the 240p receiver got ${smaller.videoDurationS.toFixed(2)} s of a ${SHOW_S} s show`);
  for (const file of [...plain.recordings('plain-key-0123456789'), ...secure.recordings('late-key-0123456789')]) {
    const media = await probeRecording(file);
    assert.deepEqual(media.codecs, ['aac', 'h264'], file);
    assert.ok(media.videoDurationS > 2, `${file}: ${media.videoDurationS} s`);
  }
  // Destination keys never reach the log.
  for (const key of ['plain-key-0123456789', 'secure-key-0123456789', 'late-key-0123456789', 'small-key-0123456789']) {
    assert.ok(!sc.rawLogs().includes(key), `${key} is not in the log`);
  }
});
