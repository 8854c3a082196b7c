// RTMP fuzzing against the real gateway with a live show beside it: random and malformed bytes at every protocol
// stage, from many client addresses at once. After every round the process is up, its memory is bounded, and the
// live show is still producing segments. The seed is printed; SHOPCAST_FUZZ_SEED=<seed> replays a run.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test, type TestContext } from 'node:test';
import { call } from '../e2e/helpers/api.js';
import { parseMedia, waitForMaster } from '../e2e/helpers/hls.js';
import { publish, type Publisher } from '../e2e/helpers/publisher.js';
import {
  amf0,
  chunks,
  command,
  connectCommand,
  createStreamCommand,
  HANDSHAKE_C2,
  handshakeC0C1,
  MESSAGE,
  publishCommand,
  type Amf0Value,
} from '../e2e/helpers/rtmp-bytes.js';
import { RawRtmpClient } from '../e2e/helpers/rtmp-client.js';
import { startShopcast, waitFor, type Shopcast } from '../e2e/helpers/shopcast.js';

const SEED = Number(process.env.SHOPCAST_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const ADMIN_TOKEN = `sc_${randomBytes(32).toString('base64url')}`;
/** Memory the gateway may grow by under attack, over what it used with the show live before it. */
const RSS_GROWTH_BOUND_MIB = 120;

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Fuzz {
  readonly #next: () => number;
  constructor(seed: number) {
    this.#next = generator(seed);
  }
  int(max: number): number {
    return Math.floor(this.#next() * max);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }
  /** A valid encoding, damaged: bits flipped, bytes cut, inserted or overwritten with extreme values. */
  mutate(valid: Buffer): Buffer {
    const out = Buffer.from(valid);
    const edits = 1 + this.int(4);
    let result = out;
    for (let i = 0; i < edits; i++) {
      const at = this.int(Math.max(1, result.length));
      switch (this.int(5)) {
        case 0:
          result[at] = (result[at] ?? 0) ^ (1 << this.int(8));
          break;
        case 1:
          result = result.subarray(0, at);
          break;
        case 2:
          result = Buffer.concat([result.subarray(0, at), this.bytes(1 + this.int(16)), result.subarray(at)]);
          break;
        case 3:
          result = Buffer.concat([result.subarray(0, at), Buffer.from(this.pick([[0xff, 0xff], [0xff, 0xff, 0xff, 0xff], [0x00], [0x0a, 0xff, 0xff, 0xff, 0xff], [0x03], [0x08, 0, 0, 0, 0]])), result.subarray(at)]);
          break;
        default:
          if (result.length > 0) result[at] = this.pick([0x00, 0x02, 0x03, 0x05, 0x08, 0x09, 0x0a, 0x0c, 0x10, 0xff]);
      }
    }
    return result;
  }
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

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) / 1024;
}

describe('RTMP fuzzing with a live show beside it', { timeout: 600_000 }, () => {
  let sc: Shopcast;
  let show: Publisher;
  let port: number;
  let baselineRssMiB: number;
  let peakRssMiB = 0;
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

  const newestSegment = async (): Promise<number> => {
    const master = await waitForMaster(sc);
    const playlist = parseMedia(await sc.text(`/live/demo/${master.variants[0]!.uri}`));
    return playlist.mediaSequenceBase! + playlist.segments.length - 1;
  };

  /** After each round: alive, memory bounded, the show still publishing segments. */
  const survived = async (t: TestContext): Promise<void> => {
    assert.equal(sc.process.exitCode, null, `the gateway died (seed ${SEED})`);
    const rss = rssMiB(sc.process.pid!);
    peakRssMiB = Math.max(peakRssMiB, rss);
    assert.ok(rss - baselineRssMiB < RSS_GROWTH_BOUND_MIB, `RSS ${rss.toFixed(0)} MiB, ${baselineRssMiB.toFixed(0)} MiB before (seed ${SEED})`);
    const before = await newestSegment();
    await waitFor('the live show to publish another segment', async () => (await newestSegment()) > before, 12_000);
    t.diagnostic(`inputs so far ${inputs}, gateway RSS ${rss.toFixed(0)} MiB (peak ${peakRssMiB.toFixed(0)})`);
  };

  /** Runs `attack` on `count` connections, `parallel` at a time, then closes whatever is left. */
  const round = async (count: number, parallel: number, attack: (client: RawRtmpClient, fuzz: Fuzz, i: number) => Promise<void>): Promise<void> => {
    const fuzz = new Fuzz(SEED + address);
    for (let start = 0; start < count; start += parallel) {
      await Promise.all(
        Array.from({ length: Math.min(parallel, count - start) }, async (_, j) => {
          const client = await open();
          inputs += 1;
          try {
            await attack(client, fuzz, start + j);
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
    sc = await startShopcast({ name: 'rtmp-fuzz', env: { SHOPCAST_ADMIN_TOKEN: ADMIN_TOKEN, SHOPCAST_LOG_LEVEL: 'info' } });
    port = Number(new URL(sc.rtmpUrl).port);
    show = publish({ url: `${sc.rtmpUrl}/${sc.streamKey}`, width: 640, height: 360 });
    await waitForMaster(sc);
    const created = await call<{ streamKey: string }>(sc, 'POST', '/api/channels', { token: ADMIN_TOKEN, body: { slug: 'fuzz', title: 'Fuzz' } });
    fuzzKey = created.body.streamKey;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    baselineRssMiB = rssMiB(sc.process.pid!);
  });

  after(async () => {
    for (const client of clients) client.destroy();
    await show?.stop();
    assert.equal(await sc?.stop(), 0, 'the gateway stops cleanly after it all');
  });

  test('the seed, for a replay', (t) => {
    t.diagnostic(`fuzz seed ${SEED} (replay: SHOPCAST_FUZZ_SEED=${SEED} npm run test:reliability)`);
  });

  test('random bytes before, during and after the handshake', async (t) => {
    await round(300, 30, async (client, fuzz) => {
      const stage = fuzz.int(3);
      if (stage >= 1) client.send(handshakeC0C1().subarray(0, stage === 1 ? 1 + fuzz.int(1537) : 1537));
      if (stage === 2) {
        await waitFor('the handshake reply', () => client.receivedBytes >= 3073 || client.isClosed, 3000, 10);
        client.send(HANDSHAKE_C2);
      }
      client.send(fuzz.bytes(1 + fuzz.int(8192)));
    });
    await survived(t);
  });

  test('truncated handshakes and wrong versions', async (t) => {
    await round(100, 25, async (client, fuzz) => {
      const c0c1 = handshakeC0C1(fuzz.pick([0, 1, 3, 6, 8, 0x16, 0x47, 255]));
      client.send(c0c1.subarray(0, fuzz.int(c0c1.length)));
    });
    await survived(t);
  });

  test('absurd and zero chunk sizes, window sizes and other control messages', async (t) => {
    await round(200, 25, async (client, fuzz) => {
      await client.handshake();
      const payload = Buffer.alloc(fuzz.pick([0, 1, 3, 4, 5, 8]));
      if (payload.length >= 4) payload.writeUInt32BE(fuzz.pick([0, 1, 2, 127, 0x7fffffff, 0x80000000, 0xffffffff, fuzz.int(2 ** 32)]));
      client.send(chunks({ cid: 2, type: fuzz.pick([1, 2, 3, 4, 5, 6, 7]), payload }));
      client.send(connectCommand('live'));
      client.send(fuzz.bytes(fuzz.int(512)));
    });
    await survived(t);
  });

  test('malformed AMF in every command the server parses, before and after connect', async (t) => {
    const valid = commands(fuzzKey);
    await round(600, 40, async (client, fuzz) => {
      await client.handshake();
      if (fuzz.int(2) === 0) client.send(connectCommand('live'));
      if (fuzz.int(3) === 0) client.send(createStreamCommand());
      const body = fuzz.mutate(fuzz.pick(valid));
      client.send(chunks({ cid: fuzz.pick([3, 4, 5, 8]), type: fuzz.pick([MESSAGE.command, 17, MESSAGE.data, 15]), payload: body, streamId: fuzz.int(3) }));
      await new Promise((resolve) => setTimeout(resolve, fuzz.int(30)));
    });
    await survived(t);
  });

  test('huge declared message lengths and thousands of chunk stream ids', async (t) => {
    await round(60, 20, async (client, fuzz) => {
      await client.handshake();
      if (fuzz.int(2) === 0) {
        client.send(chunks({ cid: 3, type: MESSAGE.command, payload: fuzz.bytes(100), declaredLength: 65_536 + fuzz.int(0xffffff - 65_536) }));
      } else {
        for (let cid = 64; cid < 64 + 3000 && !client.isClosed; cid++) {
          client.send(chunks({ cid, type: MESSAGE.data, payload: fuzz.bytes(4), declaredLength: 30_000 + fuzz.int(30_000) }));
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
      const fuzz = new Fuzz(SEED + attempt);
      for (let i = 0; i < 400 && !client.isClosed; i++) {
        const type = fuzz.pick([MESSAGE.video, MESSAGE.audio, MESSAGE.data]);
        const head = type === MESSAGE.video ? Buffer.from([fuzz.pick([0x17, 0x27, 0x1c, 0x97, 0xff]), fuzz.int(3), 0, 0, 0]) : Buffer.alloc(0);
        const payload = Buffer.concat([head, fuzz.bytes(fuzz.int(4000))]);
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
    t.diagnostic(`seed ${SEED}: ${inputs} hostile connections, peak RSS ${peakRssMiB.toFixed(0)} MiB (baseline ${baselineRssMiB.toFixed(0)}), ${lines} log lines`);
    assert.ok(!log.includes(fuzzKey) && !log.includes(sc.streamKey), 'no stream key in the log');
    assert.ok(lines < inputs * 3, `${lines} log lines for ${inputs} hostile connections`);
  });
});
