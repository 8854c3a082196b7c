// RTMP ingest under hostile and unlucky input, on the real gateway with a live show beside it: malformed packets cut
// one connection and nothing else, encoders see their refusals, rotated keys cut the old publisher at once, limits
// hold per address and in all, and RTMPS works.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { call } from './helpers/api.js';
import { selfSignedCertificate } from './helpers/certificate.js';
import { parseMedia, waitForMaster } from './helpers/hls.js';
import { publish, type Publisher } from './helpers/publisher.js';
import { amf0, chunks, command, MESSAGE, videoMessage } from './helpers/rtmp-bytes.js';
import { RawRtmpClient } from './helpers/rtmp-client.js';
import { freePort, startShopcast, waitFor, type Shopcast } from './helpers/shopcast.js';

const ADMIN_TOKEN = `sc_${randomBytes(32).toString('base64url')}`;
const PER_ADDRESS = 6;
const MAX_CONNECTIONS = 40;

/** Newest media sequence number of the demo channel's first rung. */
async function newestSegment(sc: Shopcast): Promise<number> {
  const master = await waitForMaster(sc);
  const playlist = parseMedia(await sc.text(`/live/demo/${master.variants[0]!.uri}`));
  return playlist.mediaSequenceBase! + playlist.segments.length - 1;
}

/** The live show beside every attack keeps producing segments, and the process is up. */
async function showGoesOn(sc: Shopcast): Promise<void> {
  assert.equal(sc.process.exitCode, null, 'the gateway is still running');
  assert.equal((await sc.get('/healthz')).status, 200);
  const before = await newestSegment(sc);
  await waitFor('a new segment of the live show', async () => (await newestSegment(sc)) > before, 10_000);
}

async function exitWithin(publisher: Publisher, ms: number): Promise<{ code: number | null; afterMs: number }> {
  const code = await Promise.race([publisher.exited, new Promise<'running'>((r) => setTimeout(() => r('running'), ms))]);
  assert.notEqual(code, 'running', `the encoder was still running after ${ms} ms`);
  return { code: code as number | null, afterMs: Date.now() - publisher.startedAtMs };
}

async function channelWithKey(sc: Shopcast, slug: string): Promise<string> {
  const created = await call<{ streamKey: string }>(sc, 'POST', '/api/channels', { token: ADMIN_TOKEN, body: { slug, title: slug } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.streamKey;
}

describe('RTMP ingest under hostile input', { timeout: 300_000 }, () => {
  let sc: Shopcast;
  let show: Publisher;
  const clients: RawRtmpClient[] = [];
  let rtmpsPort: number;

  const open = async (localAddress?: string): Promise<RawRtmpClient> => {
    const client = await RawRtmpClient.open({ port: Number(new URL(sc.rtmpUrl).port), localAddress });
    clients.push(client);
    return client;
  };

  before(async () => {
    const certDir = mkdtempSync(path.join(tmpdir(), 'shopcast-cert-'));
    const certificate = selfSignedCertificate(certDir);
    rtmpsPort = await freePort();
    sc = await startShopcast({
      name: 'ingest',
      env: {
        SHOPCAST_ADMIN_TOKEN: ADMIN_TOKEN,
        SHOPCAST_RECONNECT_WINDOW_S: '10',
        SHOPCAST_RTMP_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
        SHOPCAST_RTMP_MAX_CONNECTIONS_PER_ADDRESS: String(PER_ADDRESS),
        SHOPCAST_RTMPS_PORT: String(rtmpsPort),
        SHOPCAST_RTMPS_CERT: certificate.cert,
        SHOPCAST_RTMPS_KEY: certificate.key,
      },
    });
    show = publish({ url: `${sc.rtmpUrl}/${sc.streamKey}`, width: 640, height: 360 });
    await waitForMaster(sc);
  });

  after(async () => {
    for (const client of clients) client.destroy();
    await show?.stop();
    assert.equal(await sc?.stop(), 0);
  });

  test('one Set Chunk Size with an empty payload cuts that connection only (it used to end the process)', async () => {
    const client = await open();
    await client.handshake();
    client.send(Buffer.concat([chunks({ cid: 2, type: MESSAGE.setChunkSize, payload: Buffer.alloc(0) }), Buffer.from([0x42])]));
    await waitFor('the connection cut', () => client.isClosed, 2000);
    await showGoesOn(sc);
    const line = sc.logs().find((l) => l.msg === 'rtmp connection cut' && String(l.reason).includes('control message 1'));
    assert.ok(line, 'one log line says why');
    assert.equal(line.ip, '127.0.0.1');
  });

  test('a connect without tcUrl is answered; malformed AMF cuts the connection; the show goes on', async () => {
    const noTcUrl = await open();
    await noTcUrl.handshake();
    noTcUrl.send(chunks({ cid: 3, type: MESSAGE.command, payload: command('connect', 1, { app: 'live' }) }));
    assert.ok(await noTcUrl.answered('NetConnection.Connect.Success'));
    for (const payload of [
      command('connect', 1),
      Buffer.concat([amf0('connect'), amf0(1), Buffer.from([0x03, 0x00, 0x05, 0x61])]),
      Buffer.concat([amf0('connect'), amf0(1), Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff])]),
      Buffer.concat([amf0('publish'), amf0(3), amf0(null), amf0(sc.streamKey)]),
    ]) {
      const client = await open();
      await client.handshake();
      client.send(chunks({ cid: 3, type: MESSAGE.command, payload }));
      await waitFor('the connection cut', () => client.isClosed, 2000);
    }
    await showGoesOn(sc);
  });

  test('an FFmpeg publisher with a wrong key exits non-zero within 5 s; the log says why, with the address, not the key', async () => {
    const wrongKey = randomBytes(24).toString('base64url');
    const intruder = publish({ url: `${sc.rtmpUrl}/${wrongKey}`, durationS: 20 });
    const { code, afterMs } = await exitWithin(intruder, 5000);
    assert.notEqual(code, 0, 'the encoder knows it was refused');
    assert.ok(afterMs < 5000, `refused after ${afterMs} ms`);
    assert.match(intruder.stderr(), /Server error: unknown stream key/, 'and why');
    const refusal = sc.logs().find((l) => l.msg === 'publish refused' && l.reason === 'unknown stream key');
    assert.ok(refusal);
    assert.equal(refusal.ip, '127.0.0.1');
    assert.ok(!sc.rawLogs().includes(wrongKey), 'the key is never logged');
  });

  test('an unknown application is refused at connect: the encoder exits non-zero', async () => {
    const lost = publish({ url: sc.rtmpUrl.replace(/\/live$/, '/admin') + `/${sc.streamKey}`, durationS: 20 });
    const { code } = await exitWithin(lost, 5000);
    assert.notEqual(code, 0);
    assert.match(lost.stderr(), /Server error: unknown application "admin"/, 'FFmpeg says why (the answer is chunked as announced)');
    assert.ok(sc.logs().some((l) => l.msg === 'connect refused' && String(l.reason).includes('unknown application')));
  });

  test('a second publisher on a live channel is refused (non-zero exit) and the first keeps streaming', async () => {
    const second = publish({ url: `${sc.rtmpUrl}/${sc.streamKey}`, durationS: 20 });
    const { code } = await exitWithin(second, 5000);
    assert.notEqual(code, 0);
    assert.match(second.stderr(), /Server error: channel already has a publisher/);
    assert.ok(sc.logs().some((l) => l.msg === 'publish refused' && l.reason === 'channel already has a publisher'));
    await showGoesOn(sc);
  });

  test('key rotation cuts a publisher that ignores the close at once, and the new key is accepted immediately', async () => {
    const key = await channelWithKey(sc, 'stubborn');
    const stubborn = await open();
    assert.equal(await stubborn.publish(key), 'NetStream.Publish.Start');
    // It keeps sending whatever happens, as a client that ignores a FIN would.
    let timestamp = 0;
    const sender = setInterval(() => {
      timestamp += 33;
      stubborn.send(videoMessage(randomBytes(200), timestamp, timestamp % 2000 < 33));
    }, 33);
    try {
      const rotatedAt = Date.now();
      const rotated = await call<{ streamKey: string }>(sc, 'POST', '/api/channels/stubborn/key', { token: ADMIN_TOKEN });
      assert.equal(rotated.status, 200);
      await waitFor('the old publisher cut', () => stubborn.isClosed, 2000, 10);
      assert.ok(stubborn.closedAtMs! - rotatedAt < 1000, `cut ${stubborn.closedAtMs! - rotatedAt} ms after the rotation`);
      assert.match(stubborn.text, /NetStream\.Publish\.Denied[\s\S]*stream key rotated/, 'told why before the cut');

      const seller = publish({ url: `${sc.rtmpUrl}/${rotated.body.streamKey}`, width: 426, height: 240 });
      try {
        await waitForMaster(sc, 'stubborn');
        const refused = sc.logs().filter((l) => l.msg === 'publish refused' && l.slug === 'stubborn');
        assert.deepEqual(refused, [], 'the new key was not refused as "already has a publisher"');
      } finally {
        await seller.stop();
      }
    } finally {
      clearInterval(sender);
    }
  });

  test('before a publish is accepted, huge declared messages and thousands of chunk streams cut the connection', async () => {
    const huge = await open();
    await huge.handshake();
    huge.send(chunks({ cid: 3, type: MESSAGE.command, payload: Buffer.alloc(64), declaredLength: 0xffffff }));
    await waitFor('the huge message refused', () => huge.isClosed, 2000);

    const streams = await open();
    await streams.handshake();
    for (let cid = 64; cid < 3064 && !streams.isClosed; cid++) {
      streams.send(chunks({ cid, type: MESSAGE.data, payload: Buffer.alloc(8), declaredLength: 60_000 }));
    }
    await waitFor('the chunk stream flood refused', () => streams.isClosed, 2000);
    await showGoesOn(sc);
  });

  test('connections are limited per address and in all, and a refused one is closed at once', async () => {
    const mine: RawRtmpClient[] = [];
    for (let i = 0; i < PER_ADDRESS; i++) mine.push(await open('127.0.0.2'));
    const extra = await open('127.0.0.2');
    await waitFor('the connection over the per-address limit closed', () => extra.isClosed, 2000);
    assert.ok(mine.every((client) => !client.isClosed), 'the first ones stay');
    const neighbour = await open('127.0.0.3');
    await neighbour.handshake();

    // Fill the server from other addresses, one each: the first client over the total is refused, wherever it is.
    let refusedAt: number | undefined;
    for (let host = 1; host <= MAX_CONNECTIONS && refusedAt === undefined; host++) {
      const client = await open(`127.0.1.${host}`);
      await new Promise((resolve) => setTimeout(resolve, 30));
      if (client.isClosed) refusedAt = host;
    }
    assert.ok(refusedAt !== undefined, 'a client over the global limit was refused');
    assert.ok(refusedAt > MAX_CONNECTIONS - PER_ADDRESS - 4, `refused as client ${refusedAt} from a fresh address`);
    assert.ok(sc.logs().some((l) => l.msg === 'rtmp connection refused' && String(l.reason).includes('server full')));
    for (const client of clients) client.destroy();
    await waitFor('slots free again', async () => {
      const again = await open('127.0.2.2');
      await new Promise((resolve) => setTimeout(resolve, 100));
      return !again.isClosed;
    }, 5000);
    await showGoesOn(sc);
  });

  test('a connection that never publishes is cut at the 10 s deadline', async () => {
    const idle = await open();
    const openedAt = Date.now();
    await idle.handshake();
    await waitFor('the idle connection cut', () => idle.isClosed, 13_000);
    const afterMs = idle.closedAtMs! - openedAt;
    assert.ok(afterMs >= 9_500 && afterMs < 12_000, `cut after ${afterMs} ms`);
  });

  test('RTMPS: an FFmpeg publisher goes live over TLS with a self-signed certificate', async () => {
    const key = await channelWithKey(sc, 'secure');
    const secure = publish({ url: `rtmps://127.0.0.1:${rtmpsPort}/live/${key}`, width: 426, height: 240 });
    try {
      const master = await waitForMaster(sc, 'secure');
      assert.ok(master.variants.length >= 1);
      assert.ok(sc.logs().some((l) => l.msg === 'RTMPS ingest listening' && l.port === rtmpsPort));
    } finally {
      await secure.stop();
    }
  });
});
