import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { parseTag, TAG_AUDIO, TAG_SCRIPT, TAG_VIDEO, type FlvTag } from '../../../src/ingest/flv.js';
import { encodeAmf0 } from '../../../src/restream/amf0.js';
import { MESSAGE } from '../../../src/restream/rtmp-chunks.js';
import { redactKey, RtmpPublisher, RtmpPushError, rtmpEndpoint, type RtmpPublisherOptions } from '../../../src/restream/rtmp-publisher.js';
import { selfSignedCertificate } from '../../e2e/helpers/certificate.js';
import { chunks } from '../../e2e/helpers/rtmp-bytes.js';
import { createRng } from '../../reliability/helpers/fuzz.js';
import { flvTagBytes } from '../flv-bytes.js';
import { answer, commandsOf, SERVER_CHUNK_SIZE, startFakeRtmpServer, status, type FakeRtmpServer } from './fake-rtmp-server.js';

const KEY = 'sk_live_Secret123';

const flvTag = (type: number, timestampMs: number, body: Buffer): FlvTag => parseTag(flvTagBytes(type, timestampMs, body))!;

const metadata = (): FlvTag => flvTag(TAG_SCRIPT, 0, encodeAmf0('onMetaData', { width: 640, height: 360 }));
const videoHeader = (): FlvTag => flvTag(TAG_VIDEO, 0, Buffer.from([0x17, 0x00, 0, 0, 0, 1, 0x64, 0, 0x1f]));
const keyframe = (ms: number, size = 1000): FlvTag => flvTag(TAG_VIDEO, ms, Buffer.concat([Buffer.from([0x17, 0x01, 0, 0, 0]), Buffer.alloc(size, 1)]));
const interFrame = (ms: number, size = 1000): FlvTag => flvTag(TAG_VIDEO, ms, Buffer.concat([Buffer.from([0x27, 0x01, 0, 0, 0]), Buffer.alloc(size, 2)]));
const audio = (ms: number): FlvTag => flvTag(TAG_AUDIO, ms, Buffer.concat([Buffer.from([0xaf, 0x01]), Buffer.alloc(100, 3)]));

async function refusal(promise: Promise<unknown>): Promise<RtmpPushError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof RtmpPushError, `an RtmpPushError, not ${String(err)}`);
    assert.ok(!err.message.includes(KEY), `the key is not in "${err.message}"`);
    return err;
  }
  assert.fail('expected a refusal');
}

async function until(what: string, check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const servers: FakeRtmpServer[] = [];
async function server(...args: Parameters<typeof startFakeRtmpServer>): Promise<FakeRtmpServer> {
  const started = await startFakeRtmpServer(...args);
  servers.push(started);
  return started;
}
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

function connect(port: number, options: RtmpPublisherOptions = {}, app = 'live/app'): Promise<RtmpPublisher> {
  return RtmpPublisher.connect({ url: `rtmp://127.0.0.1:${port}/${app}`, streamKey: KEY }, { connectTimeoutMs: 2000, ...options });
}

test('a target URL gives host, port, app and tcUrl; a pasted key is taken off; bad targets are invalid without quoting them', () => {
  assert.deepEqual(rtmpEndpoint({ url: 'rtmp://a.rtmp.youtube.com/live2', streamKey: KEY }), {
    secure: false, host: 'a.rtmp.youtube.com', port: 1935, app: 'live2', tcUrl: 'rtmp://a.rtmp.youtube.com/live2',
  });
  assert.deepEqual(rtmpEndpoint({ url: 'rtmps://live-api-s.facebook.com:443/rtmp/', streamKey: KEY }), {
    secure: true, host: 'live-api-s.facebook.com', port: 443, app: 'rtmp', tcUrl: 'rtmps://live-api-s.facebook.com:443/rtmp',
  });
  assert.equal(rtmpEndpoint({ url: 'rtmps://h/live', streamKey: KEY }).port, 443);
  const nested = rtmpEndpoint({ url: `rtmp://[::1]:1936/live/app/${KEY}`, streamKey: KEY });
  assert.deepEqual([nested.host, nested.port, nested.app, nested.tcUrl], ['::1', 1936, 'live/app', 'rtmp://[::1]:1936/live/app']);
  for (const [url, streamKey] of [['http://h/live', KEY], ['rtmp://h', KEY], ['rtmp://h/', KEY], [`not a url ${KEY}`, KEY], ['rtmp://u:p@h/live', KEY], ['rtmp://h:0/live', KEY], ['rtmp://h/live', '']]) {
    assert.throws(() => rtmpEndpoint({ url: url!, streamKey: streamKey! }), (err: unknown) => err instanceof RtmpPushError && err.kind === 'invalid' && !err.message.includes(KEY));
  }
});

test('the key is redacted wherever a destination echoed it, in any case or URL-encoded, and the text is one short line', () => {
  assert.equal(redactKey(`stream "${KEY}" not found`, KEY), 'stream "[stream key]" not found');
  assert.equal(redactKey(`bad name ${KEY.toUpperCase()}`, KEY), 'bad name [stream key]');
  assert.equal(redactKey('key a%2Bb%3F', 'a+b?'), 'key [stream key]');
  assert.equal(redactKey('key a+b? again a+b?', 'a+b?'), 'key [stream key] again [stream key]');
  assert.equal(redactKey('two\r\nlines\u0000', KEY), 'two lines ');
  assert.equal(redactKey('x'.repeat(1000), KEY).length, 300);
});

test('publishes as an encoder does: connect, releaseStream, FCPublish, createStream, publish; media with timestamps', async () => {
  const fake = await server();
  const publisher = await connect(fake.port);
  const session = fake.sessions[0]!;
  const first = Buffer.concat(session.raw);
  assert.deepEqual([first[0], first[7], first.readUInt32BE(12)], [0x02, MESSAGE.setChunkSize, 4096], 'Set Chunk Size 4096 comes first');
  const commands = commandsOf(session);
  assert.deepEqual(commands.map((c) => c[0]), ['connect', 'releaseStream', 'FCPublish', 'createStream', 'publish']);
  assert.deepEqual({ ...(commands[0]![2] as object) }, { app: 'live/app', type: 'nonprivate', flashVer: 'FMLE/3.0 (compatible; shopcast)', tcUrl: `rtmp://127.0.0.1:${fake.port}/live/app` });
  assert.deepEqual(commands[4]!.slice(2), [null, KEY, 'live']);
  assert.equal(session.messages.find((m) => m.payload.includes(Buffer.from('publish')))?.streamId, 1);
  assert.ok(session.messages.some((m) => m.type === MESSAGE.windowAckSize));

  publisher.send(metadata());
  publisher.send(videoHeader());
  publisher.send(keyframe(0x1000005, 9000));
  publisher.send(audio(40));
  await until('the media', () => session.messages.filter((m) => m.streamId === 1 && m.type !== MESSAGE.command).length === 4);
  const media = session.messages.filter((m) => m.streamId === 1 && m.type !== MESSAGE.command);
  assert.deepEqual(media.map((m) => [m.type, m.timestamp, m.payload.length]), [
    [MESSAGE.data, 0, encodeAmf0('@setDataFrame').length + metadata().bytes.length - 15],
    [MESSAGE.video, 0, 9],
    [MESSAGE.video, 0x1000005, 9005],
    [MESSAGE.audio, 40, 102],
  ]);
  assert.ok(media[0]!.payload.subarray(0, 16).equals(encodeAmf0('@setDataFrame')));
  assert.ok(publisher.bytesSent > 9000 + 3073);
  assert.equal(publisher.droppedTags, 0);
  await publisher.close();
});

test('answers Window Ack Size with acknowledgements and pings with pongs; honours the server chunk size; ends on its error status', async () => {
  const fake = await server();
  const publisher = await connect(fake.port);
  const session = fake.sessions[0]!;
  const windowAck = Buffer.alloc(4);
  windowAck.writeUInt32BE(500);
  session.send(chunks({ cid: 2, type: MESSAGE.windowAckSize, payload: windowAck, chunkSize: 4096 }));
  session.send(chunks({ cid: 2, type: MESSAGE.userControl, payload: Buffer.from([0, 6, 0xde, 0xad, 0xbe, 0xef]), chunkSize: 4096 }));
  session.send(answer('onBWDone', 0, 0, null, 'x'.repeat(600)));
  await until('an acknowledgement and a ping response', () =>
    session.messages.some((m) => m.type === MESSAGE.acknowledgement) && session.messages.some((m) => m.type === MESSAGE.userControl));
  const pong = session.messages.find((m) => m.type === MESSAGE.userControl)!;
  assert.equal(pong.payload.toString('hex'), '0007deadbeef');
  const acked = session.messages.find((m) => m.type === MESSAGE.acknowledgement)!.payload.readUInt32BE(0);
  assert.ok(acked >= 3073 + 600, `acknowledged ${acked} bytes`);

  const small = Buffer.alloc(4);
  small.writeUInt32BE(50);
  session.send(chunks({ cid: 2, type: MESSAGE.setChunkSize, payload: small, chunkSize: 4096 }));
  const description = `Stream ${KEY} was taken down by a moderator for breaking the community rules`;
  const payload = encodeAmf0('onStatus', 0, null, { level: 'error', code: 'NetStream.Publish.Denied', description });
  session.send(chunks({ cid: 5, type: MESSAGE.command, payload, streamId: 1, chunkSize: 50 }));
  const reason = await publisher.closed;
  assert.match(reason, /^destination ended the publish: NetStream\.Publish\.Denied \(Stream \[stream key\] was taken down/);
  publisher.send(keyframe(100));
  await publisher.close();
});

test('a refused publish surfaces as kind refused with the destination\'s words, never the key it echoed', async () => {
  const fake = await server({
    onCommand: (session, name) => {
      if (name !== 'publish') return false;
      session.send(status('error', 'NetStream.Publish.BadName', `Stream ${KEY} already publishing`));
      return true;
    },
  });
  const lines: string[] = [];
  const log = pino({ level: 'debug' }, new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  }));
  const err = await refusal(connect(fake.port, { log }));
  assert.equal(err.kind, 'refused');
  assert.equal(err.message, 'destination refused the publish: NetStream.Publish.BadName (Stream [stream key] already publishing)');
  assert.ok(lines.some((line) => line.includes('rtmp push ended')));
  assert.ok(lines.every((line) => !line.includes(KEY) && !line.includes('live/app')), 'neither the key nor the URL is logged');
});

test('an _error to connect, and a hang-up on connect or on publish, are refusals', async () => {
  const rejecting = await server({
    onCommand: (session, name, values) => {
      if (name !== 'connect') return false;
      session.send(answer('_error', values[1] as number, 0, null, { level: 'error', code: 'NetConnection.Connect.Rejected', description: 'unknown app' }));
      return true;
    },
  });
  const rejected = await refusal(connect(rejecting.port));
  assert.deepEqual([rejected.kind, rejected.message], ['refused', 'destination refused the connect: NetConnection.Connect.Rejected (unknown app)']);
  for (const on of ['connect', 'publish']) {
    const hangingUp = await server({
      onCommand: (session, name) => {
        if (name !== on) return false;
        session.socket.destroy();
        return true;
      },
    });
    const err = await refusal(connect(hangingUp.port));
    assert.equal(err.kind, 'refused');
    assert.match(err.message, new RegExp(`hung up on ${on}`));
  }
});

test('an _error to releaseStream (some servers do not know it) is not a refusal', async () => {
  const fake = await server({
    onCommand: (session, name, values) => {
      if (name !== 'releaseStream') return false;
      session.send(answer('_error', values[1] as number, 0, null, { level: 'error', code: 'NetConnection.Call.Failed' }));
      return true;
    },
  });
  await (await connect(fake.port)).close();
});

test('a silent server is a timeout, a closed port is unreachable', async () => {
  const silent = await server({ handshake: false });
  const timedOut = await refusal(connect(silent.port, { connectTimeoutMs: 200 }));
  assert.deepEqual([timedOut.kind, timedOut.message], ['timeout', `127.0.0.1:${silent.port} did not answer within 0.2 s (waiting for the RTMP handshake)`]);
  const stalledAtCreate = await server({ onCommand: (_session, name) => name === 'createStream' });
  assert.match((await refusal(connect(stalledAtCreate.port, { connectTimeoutMs: 200 }))).message, /waiting for the answer to createStream/);

  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as net.AddressInfo;
  await new Promise((resolve) => closed.close(resolve));
  const unreachable = await refusal(connect(port));
  assert.deepEqual([unreachable.kind, unreachable.message], ['unreachable', `cannot reach 127.0.0.1:${port} (ECONNREFUSED)`]);
});

test('a destination that stops reading: video is dropped to the next keyframe, the buffer stays bounded, then it ends as stalled', async () => {
  const fake = await server({
    onCommand: (session, name) => {
      if (name === 'publish') {
        session.send(status('status', 'NetStream.Publish.Start', 'go'));
        session.socket.pause();
        return true;
      }
      return false;
    },
  });
  const maxBufferedBytes = 256 * 1024;
  const tagBytes = 64 * 1024;
  const publisher = await connect(fake.port, { maxBufferedBytes, stallTimeoutMs: 500 });
  let maxBuffered = 0;
  let slowestSendMs = 0;
  let ms = 0;
  let closedAt: number | null = null;
  void publisher.closed.then(() => (closedAt = Date.now()));
  let firstDropAt: number | null = null;
  while (closedAt === null) {
    const frame = ms % 1000 === 0 ? keyframe(ms, tagBytes) : interFrame(ms, tagBytes);
    const start = performance.now();
    publisher.send(frame);
    publisher.send(audio(ms));
    if (ms % 500 === 0) publisher.send(videoHeader());
    slowestSendMs = Math.max(slowestSendMs, performance.now() - start);
    maxBuffered = Math.max(maxBuffered, publisher.bufferedBytes);
    if (firstDropAt === null && publisher.droppedTags > 0) firstDropAt = Date.now();
    ms += 33;
    await sleep(2);
    assert.ok(ms < 33 * 10_000, 'the push ends');
  }
  assert.equal(await publisher.closed, 'destination stalled');
  assert.ok(publisher.droppedTags > 0);
  // Over the limit by at most the tag that crossed it plus the sequence headers that always go.
  assert.ok(maxBuffered < maxBufferedBytes + 2 * tagBytes, `buffered at most ${maxBuffered} bytes`);
  assert.ok(slowestSendMs < 50, `send took up to ${slowestSendMs} ms`);
  assert.ok(closedAt! - firstDropAt! < 3000, 'it ends within the stall timeout, give or take the kernel buffers filling');
});

test('a slow destination loses whole GOPs only: after dropping, the next video sent is a keyframe', async () => {
  const fake = await server();
  const publisher = await connect(fake.port, { maxBufferedBytes: 1 });
  const session = fake.sessions[0]!;
  session.socket.pause();
  const sent: string[] = [];
  for (let i = 0; i < 3000 && publisher.droppedTags === 0; i++) {
    publisher.send(interFrame(i, 200_000));
    await sleep(0);
  }
  assert.ok(publisher.droppedTags > 0);
  publisher.send(interFrame(5000));
  publisher.send(audio(5000));
  session.socket.resume();
  await until('the buffer to drain', () => publisher.bufferedBytes === 0, 5000);
  publisher.send(interFrame(6000));
  publisher.send(keyframe(7000));
  publisher.send(interFrame(7033));
  await until('the last frame', () => session.messages.some((m) => m.timestamp === 7033), 5000);
  for (const m of session.messages.filter((m) => m.timestamp >= 5000)) sent.push(`${m.type}@${m.timestamp}:${m.payload[0]!.toString(16)}`);
  assert.deepEqual(sent, ['9@7000:17', '9@7033:27']);
  await publisher.close();
});

test('close() says goodbye (FCUnpublish, deleteStream, FIN), is idempotent and bounded', async () => {
  const fake = await server();
  const publisher = await connect(fake.port);
  const session = fake.sessions[0]!;
  let ended = false;
  session.socket.on('end', () => (ended = true));
  const closing = publisher.close();
  assert.equal(publisher.close(), closing);
  await closing;
  assert.equal(await publisher.closed, 'push closed');
  await until('the FIN', () => ended);
  const names = commandsOf(session).map((c) => c[0]);
  assert.deepEqual(names.slice(-2), ['FCUnpublish', 'deleteStream']);
  assert.deepEqual(commandsOf(session).at(-1)!.slice(2), [null, 1]);

  const deaf = await server();
  const stuck = await connect(deaf.port, { closeTimeoutMs: 200 });
  deaf.sessions[0]!.socket.pause();
  for (let i = 0; i < 200; i++) stuck.send(keyframe(i, 100_000));
  const start = Date.now();
  await stuck.close();
  assert.ok(Date.now() - start < 1000, 'a destination that does not read does not hold close() up');
});

test('fuzz: a server answering with garbage ends the connect or the session with a reason, never an exception', async () => {
  const seed = 1337;
  const rng = createRng(seed);
  const valid = Buffer.concat([
    SERVER_CHUNK_SIZE,
    answer('_result', 1, 0, { fmsVer: 'x' }, { code: 'NetConnection.Connect.Success' }),
    answer('_result', 4, 0, null, 1),
    status('status', 'NetStream.Publish.Start', 'ok'),
    chunks({ cid: 2, type: MESSAGE.userControl, payload: Buffer.from([0, 6, 1, 2, 3, 4]) }),
  ]);
  const outcomes = new Map<string, number>();
  const cases = Array.from({ length: 120 }, () => {
    const mutated = rng.chance(0.7);
    const bytes = mutated ? Buffer.from(valid) : Buffer.from(Array.from({ length: 1 + rng.int(600) }, () => rng.int(256)));
    if (mutated) for (let m = 0; m < 1 + rng.int(8); m++) bytes[rng.int(bytes.length)] = rng.int(256);
    return bytes;
  });
  for (let batch = 0; batch < cases.length; batch += 20) {
    await Promise.all(cases.slice(batch, batch + 20).map(async (bytes) => {
      const fake = await server({
        onCommand: (session, name) => {
          if (name === 'connect') {
            session.send(bytes);
            setTimeout(() => session.socket.end(), 50);
          }
          return true;
        },
      });
      try {
        const publisher = await connect(fake.port, { connectTimeoutMs: 1000 });
        publisher.send(keyframe(0));
        const outcome = `closed: ${(await publisher.closed).split(':')[0]}`;
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      } catch (err) {
        assert.ok(err instanceof RtmpPushError, `seed ${seed}: ${String(err)}`);
        outcomes.set(err.kind, (outcomes.get(err.kind) ?? 0) + 1);
      }
    }));
  }
  // Both halves were reached: connects broken by garbage, and sessions that went live and then ended.
  assert.ok(outcomes.has('protocol') && [...outcomes.keys()].some((k) => k.startsWith('closed:')), JSON.stringify([...outcomes]));
});

let certDir = '';
let certificate = { key: '', cert: '' };
before(() => {
  certDir = mkdtempSync(path.join(tmpdir(), 'shopcast-rtmps-'));
  const files = selfSignedCertificate(certDir);
  certificate = { key: readFileSync(files.key, 'utf8'), cert: readFileSync(files.cert, 'utf8') };
});
after(() => rmSync(certDir, { recursive: true, force: true }));

test('RTMPS: a trusted certificate publishes (by name or by IP); an untrusted one is a TLS failure', async () => {
  const secure = await server({}, certificate);
  const target = (port: number, host = 'localhost') => ({ url: `rtmps://${host}:${port}/live`, streamKey: KEY });
  const publisher = await RtmpPublisher.connect(target(secure.port), { ca: certificate.cert });
  publisher.send(keyframe(0));
  await until('media over TLS', () => secure.sessions[0]!.messages.some((m) => m.type === MESSAGE.video));
  await publisher.close();
  const byIp = await RtmpPublisher.connect(target(secure.port, '127.0.0.1'), { ca: certificate.cert });
  await byIp.close();

  const untrusted = await refusal(RtmpPublisher.connect(target(secure.port), { connectTimeoutMs: 2000 }));
  assert.equal(untrusted.kind, 'tls');
  assert.match(untrusted.message, /^TLS with localhost:\d+ failed: self[- ]signed certificate/);
  const plain = await server();
  const noTls = await refusal(RtmpPublisher.connect(target(plain.port), { connectTimeoutMs: 300 }));
  assert.deepEqual([noTls.kind, noTls.message.endsWith('(waiting for TLS)')], ['timeout', true], 'a plain RTMP server waits for bytes TLS never sends');
});
