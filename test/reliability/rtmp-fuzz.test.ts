// RTMP fuzzing against the real gateway with a live show beside it: random and malformed bytes at every protocol
// stage, from many client addresses at once. After every round the process is up, its memory is bounded, and the
// live show is still producing segments. The seed is printed; SHOPCAST_FUZZ_SEED=<seed> replays a run.
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { call } from '../e2e/helpers/api.js';
import {
  amf0,
  chunks,
  command,
  connectCommand,
  createStreamCommand,
  HANDSHAKE_C2,
  HANDSHAKE_REPLY_BYTES,
  handshakeC0C1,
  MESSAGE,
  type Amf0Value,
} from '../e2e/helpers/rtmp-bytes.js';
import { RawRtmpClient } from '../e2e/helpers/rtmp-client.js';
import { waitFor, type Shopcast } from '../e2e/helpers/shopcast.js';
import { createRng, fuzzSeed, seedNote, type Rng } from './helpers/fuzz.js';
import { ADMIN_TOKEN, startGateway } from './helpers/gateway.js';
import { describeWatch, startLiveShow, type LiveShow } from './helpers/liveShow.js';
import { mib, MiB, RssSampler } from './helpers/memory.js';
import { recordFigures } from './helpers/report.js';

/** Memory the gateway may grow by under attack, over what it used with the show live before it. */
const RSS_GROWTH_BOUND_MIB = 120;

function randomBytes(rng: Rng, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = rng.int(256);
  return out;
}

/** A valid encoding, damaged: bits flipped, bytes cut, inserted, or overwritten with extreme values. */
function mutate(rng: Rng, valid: Buffer): Buffer {
  let result = Buffer.from(valid);
  const edits = 1 + rng.int(4);
  for (let i = 0; i < edits; i++) {
    const at = rng.int(Math.max(1, result.length));
    switch (rng.int(5)) {
      case 0:
        result[at] = (result[at] ?? 0) ^ (1 << rng.int(8));
        break;
      case 1:
        result = result.subarray(0, at);
        break;
      case 2:
        result = Buffer.concat([result.subarray(0, at), randomBytes(rng, 1 + rng.int(16)), result.subarray(at)]);
        break;
      case 3: {
        const extreme = rng.pick([[0xff, 0xff], [0xff, 0xff, 0xff, 0xff], [0x00], [0x0a, 0xff, 0xff, 0xff, 0xff], [0x03], [0x08, 0, 0, 0, 0]]);
        result = Buffer.concat([result.subarray(0, at), Buffer.from(extreme), result.subarray(at)]);
        break;
      }
      default:
        if (result.length > 0) result[at] = rng.pick([0x00, 0x02, 0x03, 0x05, 0x08, 0x09, 0x0a, 0x0c, 0x10, 0xff]);
    }
  }
  return result;
}

/** Every command shopcast or the library parses, well-formed, for mutation. */
function commands(key: string): Buffer[] {
  const connectObject: Amf0Value = { app: 'live', type: 'nonprivate', flashVer: 'FMLE/3.0', tcUrl: 'rtmp://localhost/live', objectEncoding: 0 };
  return [
    command('connect', 1, connectObject),
    command('releaseStream', 2, null, key),
    command('FCPublish', 3, null, key),
    command('createStream', 4, null),
    command('publish', 5, null, key, 'live'),
    command('play', 6, null, key, -2000),
    command('deleteStream', 7, null, 1),
    command('FCUnpublish', 8, null, key),
    command('_checkbw', 9, null),
    Buffer.concat([amf0('@setDataFrame'), amf0('onMetaData'), amf0({ width: 1280, height: 720, framerate: 30, videodatarate: 2500, encoder: 'obs' })]),
  ];
}

describe('RTMP fuzzing with a live show beside it', { timeout: 600_000 }, () => {
  const seed = fuzzSeed();
  let sc: Shopcast;
  let show: LiveShow;
  let memory: RssSampler;
  let port: number;
  let baselineBytes: number;
  let fuzzKey: string;
  let address = 0;
  let inputs = 0;
  const clients = new Set<RawRtmpClient>();

  /** Each connection from its own loopback address, as the internet's scanners would come. */
  const open = async (): Promise<RawRtmpClient> => {
    address += 1;
    const client = await RawRtmpClient.open({ port, localAddress: `127.${10 + ((address >> 16) & 0x7f)}.${(address >> 8) & 0xff}.${address & 0xff || 1}` });
    clients.add(client);
    void client.closed.then(() => clients.delete(client));
    return client;
  };

  /** After each round: alive, memory bounded, the show still publishing segments, nothing listed missing. */
  const survived = async (t: TestContext): Promise<void> => {
    assert.equal(sc.process.exitCode, null, `the gateway died (${seedNote(seed)})`);
    const { lastBytes, maxBytes } = memory.figures();
    assert.ok(lastBytes - baselineBytes < RSS_GROWTH_BOUND_MIB * MiB, `RSS ${mib(lastBytes)}, ${mib(baselineBytes)} before (${seedNote(seed)})`);
    const segments = (): number => show.watch.figures().rungs[0]?.lastMsn ?? -1;
    const before = segments();
    await waitFor('the live show to publish another segment', () => segments() > before, 12_000);
    assert.deepEqual(show.watch.figures().violations, [], 'playlists never stepped back and every listed segment was served');
    t.diagnostic(`inputs so far ${inputs}, gateway RSS ${mib(lastBytes)} (peak ${mib(maxBytes)})`);
  };

  /** Runs `attack` on `count` connections, `parallel` at a time, then closes whatever is left. */
  // Each connection draws from its own generator, seeded from the run's seed and its number, so a replay makes the
  // same inputs however the connections interleave.
  const round = async (count: number, parallel: number, attack: (client: RawRtmpClient, rng: Rng) => Promise<void>): Promise<void> => {
    for (let start = 0; start < count; start += parallel) {
      await Promise.all(
        Array.from({ length: Math.min(parallel, count - start) }, async () => {
          // Numbered before the first await, so in the same order on every run.
          inputs += 1;
          const rng = createRng((seed + inputs * 0x9e3779b1) >>> 0);
          const client = await open();
          try {
            await attack(client, rng);
          } catch {
            // A connection the server cut mid-attack is an expected outcome.
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
          client.destroy();
        }),
      );
    }
  };

  before(async () => {
    sc = await startGateway({ name: 'rtmp-fuzz', env: { SHOPCAST_LOG_LEVEL: 'info' } });
    port = Number(new URL(sc.rtmpUrl).port);
    show = await startLiveShow(sc);
    const created = await call<{ streamKey: string }>(sc, 'POST', '/api/channels', { token: ADMIN_TOKEN, body: { slug: 'fuzz', title: 'Fuzz' } });
    fuzzKey = created.body.streamKey;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    memory = new RssSampler(sc.process.pid!);
    baselineBytes = memory.figures().firstBytes;
  });

  after(async () => {
    for (const client of clients) client.destroy();
    const watched = await show?.stop();
    const rss = memory?.stop();
    if (watched && rss) {
      recordFigures('rtmp-fuzz', { seed, inputs, baselineRssBytes: baselineBytes, peakRssBytes: rss.maxBytes, watch: describeWatch(watched) });
    }
    assert.equal(await sc?.stop(), 0, 'the gateway stops cleanly after it all');
  });

  test('the seed, for a replay', (t) => {
    t.diagnostic(seedNote(seed));
  });

  test('random bytes before, during and after the handshake', async (t) => {
    await round(300, 30, async (client, rng) => {
      const stage = rng.int(3);
      if (stage >= 1) client.send(handshakeC0C1().subarray(0, stage === 1 ? 1 + rng.int(1537) : 1537));
      if (stage === 2) {
        await waitFor('the handshake reply', () => client.receivedBytes >= HANDSHAKE_REPLY_BYTES || client.isClosed, 3000, 10);
        client.send(HANDSHAKE_C2);
      }
      client.send(randomBytes(rng, 1 + rng.int(8192)));
    });
    await survived(t);
  });

  test('truncated handshakes and wrong versions', async (t) => {
    await round(100, 25, async (client, rng) => {
      const c0c1 = handshakeC0C1(rng.pick([0, 1, 3, 6, 8, 0x16, 0x47, 255]));
      client.send(c0c1.subarray(0, rng.int(c0c1.length)));
    });
    await survived(t);
  });

  test('absurd and zero chunk sizes, window sizes and other control messages', async (t) => {
    await round(200, 25, async (client, rng) => {
      await client.handshake();
      const payload = Buffer.alloc(rng.pick([0, 1, 3, 4, 5, 8]));
      if (payload.length >= 4) payload.writeUInt32BE(rng.pick([0, 1, 2, 127, 0x7fffffff, 0x80000000, 0xffffffff, rng.int(2 ** 32)]));
      client.send(chunks({ cid: 2, type: rng.pick([1, 2, 3, 4, 5, 6, 7]), payload }));
      client.send(connectCommand('live'));
      client.send(randomBytes(rng, rng.int(512)));
    });
    await survived(t);
  });

  test('malformed AMF in every command the server parses, before and after connect', async (t) => {
    const valid = commands(fuzzKey);
    await round(600, 40, async (client, rng) => {
      await client.handshake();
      if (rng.int(2) === 0) client.send(connectCommand('live'));
      if (rng.int(3) === 0) client.send(createStreamCommand());
      const body = mutate(rng, rng.pick(valid));
      client.send(chunks({ cid: rng.pick([3, 4, 5, 8]), type: rng.pick([MESSAGE.command, 17, MESSAGE.data, 15]), payload: body, streamId: rng.int(3) }));
      await new Promise((resolve) => setTimeout(resolve, rng.int(30)));
    });
    await survived(t);
  });

  test('huge declared message lengths and thousands of chunk stream ids', async (t) => {
    await round(60, 20, async (client, rng) => {
      await client.handshake();
      if (rng.int(2) === 0) {
        client.send(chunks({ cid: 3, type: MESSAGE.command, payload: randomBytes(rng, 100), declaredLength: 65_536 + rng.int(0xffffff - 65_536) }));
      } else {
        for (let cid = 64; cid < 64 + 3000 && !client.isClosed; cid++) {
          client.send(chunks({ cid, type: MESSAGE.data, payload: randomBytes(rng, 4), declaredLength: 30_000 + rng.int(30_000) }));
        }
      }
      await waitFor('the server to cut the connection', () => client.isClosed, 3000);
    });
    await survived(t);
  });

  test('2,000 idle connections: the limits refuse what is over, HTTP keeps answering, the show goes on', async (t) => {
    const idle: RawRtmpClient[] = [];
    for (let batch = 0; batch < 20; batch++) {
      idle.push(...(await Promise.all(Array.from({ length: 100 }, () => open()))));
    }
    inputs += idle.length;
    try {
      const health = await sc.get('/healthz');
      assert.equal(health.status, 200, 'HTTP answers while 2,000 RTMP sockets are open');
      await new Promise((resolve) => setTimeout(resolve, 500));
      const stillOpen = idle.filter((client) => !client.isClosed).length;
      t.diagnostic(`${stillOpen} of 2000 idle connections admitted`);
      assert.ok(stillOpen <= 500, `at most the default 500 RTMP connections are open: ${stillOpen}`);
      await survived(t);
    } finally {
      for (const client of idle) client.destroy();
    }
  });

  test('a publisher that sends garbage media after a valid start', async (t) => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const client = await open();
      inputs += 1;
      assert.equal(await client.publish(fuzzKey), 'NetStream.Publish.Start');
      const rng = createRng((seed + attempt) >>> 0);
      for (let i = 0; i < 400 && !client.isClosed; i++) {
        const type = rng.pick([MESSAGE.video, MESSAGE.audio, MESSAGE.data]);
        const head = type === MESSAGE.video ? Buffer.from([rng.pick([0x17, 0x27, 0x1c, 0x97, 0xff]), rng.int(3), 0, 0, 0]) : Buffer.alloc(0);
        const payload = Buffer.concat([head, randomBytes(rng, rng.int(4000))]);
        client.send(chunks({ cid: 6, type, payload, timestamp: i * 33, streamId: 1 }));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      client.destroy();
    }
    await survived(t);
  });

  test('afterwards: no key was logged, and the log stayed readable', (t) => {
    const log = sc.rawLogs();
    const lines = log.split('\n').length;
    t.diagnostic(`${seedNote(seed)}: ${inputs} hostile connections, peak RSS ${mib(memory.figures().maxBytes)} (baseline ${mib(baselineBytes)}), ${lines} log lines`);
    assert.ok(!log.includes(fuzzKey) && !log.includes(sc.streamKey), 'no stream key in the log');
    assert.ok(lines < inputs * 3, `${lines} log lines for ${inputs} hostile connections`);
  });
});
