import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  LIMITS_BEFORE_PUBLISH,
  RtmpProtocol,
  RtmpProtocolError,
  RtmpRefusal,
  type PublishAnswer,
} from '../../../src/ingest/rtmp-protocol.js';
import type { AnnouncedMetadata } from '../../../src/ingest/tap.js';
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
  videoMessage,
} from '../../e2e/helpers/rtmp-bytes.js';

const KEY = 'k3y0123456789abcdefghijkl';

interface Harness {
  protocol: RtmpProtocol;
  output: () => string;
  keys: string[];
  media: Buffer[];
  metadata: AnnouncedMetadata[];
}

function harness(opts: { app?: (app: string) => string | null; publish?: (key: string) => PublishAnswer } = {}): Harness {
  const out: Buffer[] = [];
  const keys: string[] = [];
  const media: Buffer[] = [];
  const metadata: AnnouncedMetadata[] = [];
  const protocol = new RtmpProtocol({
    output: (bytes) => out.push(bytes),
    connect: opts.app ?? (() => null),
    publish: (key) => {
      keys.push(key);
      return opts.publish?.(key) ?? { ok: true };
    },
    media: (tag) => media.push(tag),
    metadata: (announced) => metadata.push(announced),
  });
  return { protocol, output: () => Buffer.concat(out).toString('latin1'), keys, media, metadata };
}

function connected(h: Harness): Harness {
  h.protocol.push(handshakeC0C1());
  h.protocol.push(HANDSHAKE_C2);
  h.protocol.push(connectCommand('live'));
  h.protocol.push(createStreamCommand());
  return h;
}

function publishing(h: Harness): Harness {
  connected(h).protocol.push(publishCommand(KEY));
  return h;
}

function control(type: number, payload: Buffer): Buffer {
  return chunks({ cid: 2, type, payload });
}

describe('RtmpProtocol', () => {
  test('a well-formed publish is decided by shopcast before Publish.Start, which never echoes the key', () => {
    const h = publishing(harness());
    assert.deepEqual(h.keys, [KEY]);
    assert.ok(h.protocol.publishing);
    assert.match(h.output(), /NetConnection\.Connect\.Success/);
    assert.match(h.output(), /NetStream\.Publish\.Start/);
    assert.ok(!h.output().includes(KEY), 'the key is not sent back');
  });

  test('a refused key gets an error status naming the reason, and nothing reports it as started', () => {
    const h = connected(harness({ publish: () => ({ ok: false, code: 'NetStream.Publish.Denied', reason: 'unknown stream key' }) }));
    assert.throws(() => h.protocol.push(publishCommand(KEY)), (err) => err instanceof RtmpRefusal && err.command === 'publish');
    assert.match(h.output(), /NetStream\.Publish\.Denied/);
    assert.match(h.output(), /unknown stream key/);
    assert.doesNotMatch(h.output(), /Publish\.Start/);
    assert.equal(h.protocol.publishing, false);
  });

  test('an unknown application is refused at connect with NetConnection.Connect.Rejected', () => {
    const h = harness({ app: (app) => (app === 'live' ? null : `unknown application "${app}"`) });
    h.protocol.push(handshakeC0C1());
    h.protocol.push(HANDSHAKE_C2);
    assert.throws(() => h.protocol.push(connectCommand('admin')), RtmpRefusal);
    assert.match(h.output(), /_error[\s\S]*NetConnection\.Connect\.Rejected/);
  });

  test('a Set Chunk Size with an empty payload is a protocol error, not a crash inside the library', () => {
    const h = connected(harness());
    assert.throws(() => h.protocol.push(Buffer.concat([control(MESSAGE.setChunkSize, Buffer.alloc(0)), Buffer.from([0x42])])), RtmpProtocolError);
  });

  test('chunk sizes of 0 and above 2^31-1 are refused', () => {
    for (const size of [0, 0x80000000]) {
      const payload = Buffer.alloc(4);
      payload.writeUInt32BE(size);
      assert.throws(() => connected(harness()).protocol.push(control(MESSAGE.setChunkSize, payload)), RtmpProtocolError);
    }
  });

  test('a connect without tcUrl is answered (the library would have thrown), and a second connect is not', () => {
    const h = harness();
    h.protocol.push(handshakeC0C1());
    h.protocol.push(HANDSHAKE_C2);
    h.protocol.push(chunks({ cid: 3, type: MESSAGE.command, payload: command('connect', 1, { app: 'live' }) }));
    assert.match(h.output(), /NetConnection\.Connect\.Success/);
    assert.throws(() => h.protocol.push(connectCommand('live')), RtmpProtocolError);
  });

  test('malformed commands are protocol errors: no command object, no transaction id, garbage AMF, publish first', () => {
    const start = (): Harness => {
      const h = harness();
      h.protocol.push(handshakeC0C1());
      h.protocol.push(HANDSHAKE_C2);
      return h;
    };
    const bad = [
      chunks({ cid: 3, type: MESSAGE.command, payload: command('connect', 1) }),
      chunks({ cid: 3, type: MESSAGE.command, payload: Buffer.concat([amf0('connect'), amf0('x'), amf0({ app: 'live' })]) }),
      chunks({ cid: 3, type: MESSAGE.command, payload: Buffer.concat([amf0('connect'), amf0(1), Buffer.from([0x03, 0x00, 0x05, 0x61])]) }),
      chunks({ cid: 3, type: MESSAGE.command, payload: Buffer.concat([amf0('connect'), amf0(1), Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x05])]) }),
      publishCommand(KEY),
    ];
    for (const bytes of bad) assert.throws(() => start().protocol.push(bytes), (err) => err instanceof Error && !(err instanceof RtmpRefusal));
  });

  test('a command the library does not know is ignored, and the connection goes on', () => {
    const h = harness();
    h.protocol.push(handshakeC0C1());
    h.protocol.push(HANDSHAKE_C2);
    h.protocol.push(chunks({ cid: 3, type: MESSAGE.command, payload: Buffer.from([0x02, 0xff, 0xff, 0x63]) }));
    h.protocol.push(connectCommand('live'));
    assert.match(h.output(), /NetConnection\.Connect\.Success/);
  });

  test('a publish whose stream name is not a plausible key is refused without asking anyone', () => {
    for (const name of ['', '../etc', 'a'.repeat(300), 'key with spaces']) {
      const h = connected(harness());
      assert.throws(() => h.protocol.push(publishCommand(name)), RtmpRefusal);
      assert.deepEqual(h.keys, []);
      assert.match(h.output(), /NetStream\.Publish\.Denied/);
    }
  });

  test('RTMP play is refused: shows are watched over HTTP', () => {
    const h = connected(harness());
    const play = chunks({ cid: 3, type: MESSAGE.command, payload: command('play', 4, null, KEY), streamId: 1 });
    assert.throws(() => h.protocol.push(play), (err) => err instanceof RtmpRefusal && err.command === 'play');
    assert.match(h.output(), /NetStream\.Play\.Failed/);
  });

  test('a handshake with another version than 3 is refused at the first byte', () => {
    assert.throws(() => harness().protocol.push(handshakeC0C1(6)), RtmpProtocolError);
  });

  test('before a publish is accepted, media is dropped, not buffered or passed on', () => {
    const h = connected(harness());
    h.protocol.push(videoMessage(Buffer.alloc(100), 0, true));
    assert.equal(h.media.length, 0);
    h.protocol.push(publishCommand(KEY));
    h.protocol.push(videoMessage(Buffer.alloc(100), 33, true));
    assert.equal(h.media.length, 1);
    assert.equal(h.media[0]![0], MESSAGE.video, 'an FLV video tag');
  });

  test('before a publish, a declared message above 64 KiB or a ninth chunk stream cuts the connection', () => {
    const huge = chunks({ cid: 3, type: MESSAGE.command, payload: Buffer.alloc(10), declaredLength: 16 * 1024 * 1024 - 1 });
    assert.throws(() => connected(harness()).protocol.push(huge), /message of 16777215 bytes/);
    const h = connected(harness());
    assert.throws(() => {
      for (let cid = 10; cid < 10 + LIMITS_BEFORE_PUBLISH.maxChunkStreams; cid++) {
        h.protocol.push(chunks({ cid, type: MESSAGE.data, payload: Buffer.alloc(4) }));
      }
    }, /chunk streams/);
  });

  test('a publisher may send a 1 MiB keyframe, which an anonymous client may not', () => {
    const frame = videoMessage(Buffer.alloc(1024 * 1024), 0, true);
    assert.throws(() => connected(harness()).protocol.push(frame), RtmpProtocolError);
    const h = publishing(harness());
    h.protocol.push(frame);
    assert.equal(h.media.length, 1);
    assert.equal(h.media[0]!.length, 11 + 5 + 1024 * 1024 + 4);
  });

  test('onMetaData announces the size and frame rate; junk in it is ignored', () => {
    const h = publishing(harness());
    const meta = (data: Buffer): Buffer => chunks({ cid: 4, type: MESSAGE.data, payload: data, streamId: 1 });
    h.protocol.push(meta(Buffer.concat([amf0('@setDataFrame'), amf0('onMetaData'), amf0({ width: 1280, height: 720, framerate: 30, videodatarate: 2500 })])));
    h.protocol.push(meta(Buffer.from([0x02, 0x00, 0x0a, 0x6f])));
    assert.deepEqual(h.metadata, [{ width: 1280, height: 720, fps: 30, videoKbps: 2500 }]);
    assert.equal(h.media.length, 2, 'both script tags still go to the transcoder, which has its own parser');
  });

  test('received bytes are acknowledged once per window the client asked for', () => {
    const h = publishing(harness());
    const window = Buffer.alloc(4);
    window.writeUInt32BE(4096);
    h.protocol.push(control(MESSAGE.windowAckSize, window));
    const before = h.output().length;
    h.protocol.push(videoMessage(Buffer.alloc(5000), 0, true));
    assert.ok(h.output().length > before, 'an acknowledgement was sent');
  });
});
