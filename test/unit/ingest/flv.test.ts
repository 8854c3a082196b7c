import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flvHeader, parseAudioTag, parseTag, parseVideoHeader } from '../../../src/ingest/flv.js';
import { PublishTap } from '../../../src/ingest/tap.js';
import type { FlvSink } from '../../../src/media.js';
import { flvTagBytes } from '../flv-bytes.js';

const tag = flvTagBytes;

// Sequence headers taken from an FFmpeg (libx264 High@3.1 1280x720, AAC-LC 48 kHz mono) FLV.
const AVC_HEADER = Buffer.from('17000000000164001fffe1001a6764001facd9405005bb0110000003001000000303c0f183196001000668ebe3cb22c0fdf8f800', 'hex');
const AAC_HEADER = Buffer.from('af00118856e500', 'hex');
const keyframe = (ts: number): Buffer => tag(9, ts, Buffer.from('1701000043deadbeef', 'hex'));
const interframe = (ts: number): Buffer => tag(9, ts, Buffer.from('2701000042cafe', 'hex'));
const audioFrame = (ts: number): Buffer => tag(8, ts, Buffer.from('af01de0200', 'hex'));

test('video sequence header gives codec string and picture size from the SPS', () => {
  const info = parseVideoHeader(parseTag(tag(9, 0, AVC_HEADER))!);
  assert.deepEqual(info, { codec: 'h264', codecString: 'avc1.64001f', width: 1280, height: 720 });
});

test('AAC sequence header gives profile, sample rate and channels', () => {
  assert.deepEqual(parseAudioTag(parseTag(tag(8, 0, AAC_HEADER))!), {
    codec: 'aac',
    codecString: 'mp4a.40.2',
    sampleRate: 48000,
    channels: 1,
  });
});

test('tag kinds and 32-bit timestamps (extended byte) are read', () => {
  assert.equal(parseTag(keyframe(0x01234567))!.timestampMs, 0x01234567);
  assert.equal(parseTag(keyframe(0))!.kind, 'keyframe');
  assert.equal(parseTag(interframe(0))!.kind, 'video');
  assert.equal(parseTag(tag(9, 0, AVC_HEADER))!.kind, 'video-header');
  assert.equal(parseTag(tag(8, 0, AAC_HEADER))!.kind, 'audio-header');
  assert.equal(parseTag(audioFrame(0))!.kind, 'audio');
});

test('FLV header announces only the streams the publish has', () => {
  assert.equal(flvHeader(true, true)[4], 5);
  assert.equal(flvHeader(false, true)[4], 1);
});

const newTap = (): PublishTap => new PublishTap();

function publishGops(tap: PublishTap, opts: { gopS: number; seconds: number; audio: boolean }): void {
  tap.push(flvHeader(true, true));
  tap.push(tag(9, 0, AVC_HEADER));
  if (opts.audio) tap.push(tag(8, 0, AAC_HEADER));
  for (let frame = 0; frame < opts.seconds * 30; frame++) {
    const ts = Math.round((frame * 1000) / 30);
    tap.push(frame % (opts.gopS * 30) === 0 ? keyframe(ts) : interframe(ts));
    if (opts.audio && frame % 3 === 0) tap.push(audioFrame(ts));
  }
}

test('a tap describes the source at its first keyframe: size, fps, codecs, audio', async () => {
  const tap = newTap();
  const probed = tap.probe(10_000);
  publishGops(tap, { gopS: 2, seconds: 1, audio: true });
  const source = await probed;
  assert.equal(source.video?.width, 1280);
  assert.equal(source.video?.height, 720);
  assert.equal(source.video?.codecString, 'avc1.64001f');
  assert.equal(source.video?.keyframeIntervalS, null, 'not known from one keyframe');
  assert.equal(source.audio?.codecString, 'mp4a.40.2');
  const longer = newTap();
  publishGops(longer, { gopS: 2, seconds: 5, audio: true });
  assert.equal(longer.describe().video?.fps, 30, 'measured from the frames once a few seconds arrived');
});

test('the keyframe interval is known at the second keyframe, or null once the media passed the limit without it', async () => {
  const tap = newTap();
  const interval = tap.keyframeInterval(10_000);
  publishGops(tap, { gopS: 1, seconds: 3, audio: false });
  assert.equal(await interval, 1);
  assert.equal(tap.describe().audio, null, 'video-only source');

  const slow = newTap();
  const judged = slow.keyframeInterval(2100);
  publishGops(slow, { gopS: 8, seconds: 3, audio: false });
  assert.equal(await judged, null, 'decided by media time: 2.1 s of media passed without a second keyframe');
  const ending = newTap();
  const waiting = ending.keyframeInterval(10_000);
  ending.close();
  assert.equal(await waiting, null, 'a publish that ends stops the wait');
});

test('the first consumer gets everything since the first keyframe; later ones start at the current GOP', () => {
  const tap = newTap();
  publishGops(tap, { gopS: 2, seconds: 3, audio: false });
  const first: Buffer[] = [];
  const attachment = tap.attach({ write: (chunk) => first.push(chunk) });
  assert.equal(first[0]![4], 1, 'FLV header says video only');
  assert.equal(parseTag(first[1]!)!.kind, 'video-header');
  const replayed = first.slice(2).map((c) => parseTag(c)!);
  assert.equal(replayed[0]!.kind, 'keyframe');
  assert.equal(replayed[0]!.timestampMs, 0, 'the media that arrived while probing is not lost');
  assert.equal(replayed.length, 90);
  tap.push(interframe(3000));
  assert.equal(parseTag(first.at(-1)!)!.timestampMs, 3000, 'live tags follow');
  attachment.detach();
  tap.push(interframe(3033));
  assert.equal(parseTag(first.at(-1)!)!.timestampMs, 3000, 'nothing after detach');

  const later: Buffer[] = [];
  const sink: FlvSink = { write: (chunk) => later.push(chunk) };
  tap.attach(sink);
  const gop = later.slice(2).map((c) => parseTag(c)!);
  assert.equal(gop[0]!.timestampMs, 2000, 'a restarted consumer starts at the last keyframe');
  assert.equal(gop.length, 32, 'the whole current GOP');
});

test('a consumer is told each keyframe before it is written, in media time from the first keyframe it got', () => {
  const tap = newTap();
  publishGops(tap, { gopS: 1, seconds: 2.5, audio: true });
  const consumer = (): { sink: FlvSink; told: number[]; writtenWhenTold: number[]; written: () => number } => {
    let written = 0;
    const told: number[] = [];
    const writtenWhenTold: number[] = [];
    const sink: FlvSink = {
      write: () => {
        written += 1;
      },
      keyframe: (mediaS) => {
        told.push(mediaS);
        writtenWhenTold.push(written);
      },
    };
    return { sink, told, writtenWhenTold, written: () => written };
  };
  const first = consumer();
  tap.attach(first.sink);
  assert.deepEqual(first.told, [0, 1, 2], 'the replay since the first keyframe');
  tap.push(interframe(2533));
  tap.push(keyframe(3000));
  assert.deepEqual(first.told, [0, 1, 2, 3], 'and live');
  assert.equal(first.writtenWhenTold.at(-1), first.written() - 1, 'told before the keyframe tag is written');

  const later = consumer();
  tap.attach(later.sink);
  tap.push(keyframe(4000));
  assert.deepEqual(later.told, [0, 1], 'a later consumer counts from the GOP it joined at (3 s)');
});

test('a probe fails clearly when no video keyframe arrives', async () => {
  const tap = newTap();
  tap.push(tag(8, 0, AAC_HEADER));
  await assert.rejects(tap.probe(50), /no video keyframe/);
});

test('the media start is placed on the wall clock by the least-delayed tag, not by a late first burst', (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 10_000 });
  const tap = newTap();
  tap.push(tag(9, 0, AVC_HEADER));
  // A publisher sends what it encoded during the RTMP handshake (0–300 ms of media) in one burst at 10 000.
  for (let ts = 0; ts <= 300; ts += 33) tap.push(ts === 0 ? keyframe(ts) : interframe(ts));
  const attachment = tap.attach({ write: () => undefined });
  assert.equal(attachment.mediaStartWallClockMs(), 10_000 - 297, 'media 297 ms arrived at 10 000: media 0 was sent at 9 703');
  t.mock.timers.setTime(9_703 + 1_000 - 20);
  tap.push(interframe(1_000));
  assert.equal(attachment.mediaStartWallClockMs(), 9_683, 'a tag that arrived sooner after its time refines it');
  t.mock.timers.setTime(9_683 + 2_000 + 150);
  tap.push(keyframe(2_000));
  assert.equal(attachment.mediaStartWallClockMs(), 9_683, 'a late tag changes nothing');
});
