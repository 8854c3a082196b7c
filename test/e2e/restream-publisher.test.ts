// The restream publisher against real receivers: nginx-rtmp records what it got over RTMP, and nginx's stream module
// terminates TLS in front of it for RTMPS. Real FFmpeg output is split into tags and sent in real time.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FlvTag } from '../../src/ingest/flv.js';
import { FlvTagSplitter } from '../../src/restream/flv-splitter.js';
import { RtmpPublisher, RtmpPushError, type RtmpTarget } from '../../src/restream/rtmp-publisher.js';
import { probeRecording, settledRecording, startRtmpReceiver, type RtmpReceiver } from './helpers/rtmp-receiver.js';
import { freePort, waitFor } from './helpers/shopcast.js';

const DURATION_S = 6;

let receiver: RtmpReceiver;
let tags: FlvTag[] = [];

/** Six seconds of 640x360 H.264 (2 s GOPs) and AAC as FFmpeg writes FLV to a pipe, split by the splitter under test. */
async function realFlv(): Promise<FlvTag[]> {
  const ffmpeg = spawn('ffmpeg', [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(DURATION_S), '-c:v', 'libx264', '-preset', 'veryfast', '-g', '60', '-pix_fmt', 'yuv420p', '-c:a', 'aac',
    '-f', 'flv', 'pipe:1',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  const splitter = new FlvTagSplitter();
  const out: FlvTag[] = [];
  let stderr = '';
  ffmpeg.stdout.on('data', (chunk: Buffer) => out.push(...splitter.push(chunk)));
  ffmpeg.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => ffmpeg.once('close', resolve));
  assert.equal(code, 0, `ffmpeg failed: ${stderr}`);
  return out;
}

/** Sends every tag at its timestamp's moment, as a live feed would. */
async function sendInRealTime(publisher: RtmpPublisher, all: FlvTag[]): Promise<void> {
  const startMs = Date.now();
  for (const tag of all) {
    const waitMs = startMs + tag.timestampMs - Date.now();
    if (waitMs > 0) await sleep(waitMs);
    publisher.send(tag);
  }
}

async function refusal(target: RtmpTarget, options = {}): Promise<RtmpPushError> {
  try {
    const publisher = await RtmpPublisher.connect(target, { connectTimeoutMs: 5000, ...options });
    await publisher.close();
  } catch (err) {
    assert.ok(err instanceof RtmpPushError, String(err));
    assert.ok(!err.message.includes(target.streamKey), `the key is not in "${err.message}"`);
    return err;
  }
  return assert.fail(`${target.url} accepted the publish`);
}

before(async () => {
  receiver = await startRtmpReceiver({ name: 'publisher', tls: true });
  tags = await realFlv();
});

after(() => receiver?.stop());

test('what is pushed over RTMP is what nginx-rtmp recorded: H.264 and AAC, as long as was sent', async () => {
  assert.ok(tags.length > 300, `${tags.length} tags from FFmpeg`);
  assert.deepEqual(tags.slice(0, 3).map((t) => t.kind).sort(), ['audio-header', 'metadata', 'video-header']);
  const key = `e2e-rtmp-${Date.now()}`;
  const publisher = await RtmpPublisher.connect({ url: receiver.rtmpUrl, streamKey: key });
  await sendInRealTime(publisher, tags);
  const sentBytes = tags.reduce((sum, t) => sum + t.bytes.length, 0);
  await waitFor('everything to leave', () => publisher.bufferedBytes === 0, 5000, 20);
  assert.ok(publisher.bytesSent > sentBytes * 0.95, `${publisher.bytesSent} bytes sent for ${sentBytes} bytes of tags`);
  assert.equal(publisher.droppedTags, 0);
  await publisher.close();
  assert.equal(await publisher.closed, 'push closed');

  const recorded = await probeRecording(await settledRecording(receiver, key));
  const video = tags.filter((t) => t.type === 9);
  const sentS = (Math.max(...video.map((t) => t.timestampMs)) - Math.min(...video.map((t) => t.timestampMs))) / 1000 + 1 / 30;
  assert.deepEqual(recorded.codecs, ['aac', 'h264']);
  assert.ok(Math.abs(recorded.videoDurationS - sentS) <= 1, `recorded ${recorded.videoDurationS} s of video, sent ${sentS} s`);
  assert.ok(Math.abs(sentS - DURATION_S) <= 0.5, `sent ${sentS} s`);
  // AVC packet type 1: pictures (not the sequence header, nor the end-of-sequence tag FFmpeg writes last).
  assert.equal(recorded.videoFrames, video.filter((t) => t.bytes[12] === 1).length, 'every picture was recorded');
});

test('RTMPS through nginx terminating TLS: trusted by the given CA, published and recorded; untrusted is a TLS failure', async () => {
  const key = `e2e-rtmps-${Date.now()}`;
  const target = { url: receiver.rtmpsUrl!, streamKey: key };
  const publisher = await RtmpPublisher.connect(target, { ca: receiver.ca });
  const firstSeconds = tags.filter((t) => t.timestampMs < 3000);
  await sendInRealTime(publisher, firstSeconds);
  await waitFor('everything to leave', () => publisher.bufferedBytes === 0, 5000, 20);
  await publisher.close();
  const recorded = await probeRecording(await settledRecording(receiver, key));
  assert.deepEqual(recorded.codecs, ['aac', 'h264']);
  assert.ok(Math.abs(recorded.videoDurationS - 3) <= 1, `recorded ${recorded.videoDurationS} s`);

  const untrusted = await refusal(target);
  assert.equal(untrusted.kind, 'tls', untrusted.message);
});

test('nginx refusals: an unknown application, a stream already publishing; a port nobody listens on is unreachable', async () => {
  const key = `e2e-refusals-${Date.now()}`;
  const unknownApp = await refusal({ url: receiver.rtmpUrl.replace(/live$/, 'nosuchapp'), streamKey: key });
  assert.equal(unknownApp.kind, 'refused', unknownApp.message);

  const first = await RtmpPublisher.connect({ url: receiver.rtmpUrl, streamKey: key });
  first.send(tags[0]!);
  const busy = await refusal({ url: receiver.rtmpUrl, streamKey: key });
  assert.equal(busy.kind, 'refused');
  assert.match(busy.message, /NetStream\.Publish\.BadName/);
  await first.close();

  const unreachable = await refusal({ url: `rtmp://127.0.0.1:${await freePort()}/live`, streamKey: key });
  assert.equal(unreachable.kind, 'unreachable');
});
