// fMP4 to FLV, the pure remux under a rung feed: configurations from FFmpeg's init, sequence headers as the ingest
// reads them, one tag per sample with its bytes untouched, the timeline, and what is refused.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { flvHeader, parseAudioTag, parseTag, parseVideoHeader, TAG_AUDIO, TAG_VIDEO } from '../../../src/ingest/flv.js';
import { Mp4FormatError } from '../../../src/packager/fmp4/boxes.js';
import { parseInit } from '../../../src/packager/fmp4/init.js';
import { Fmp4Reader, type Fmp4Event } from '../../../src/packager/fmp4/reader.js';
import { decodeAmf0 } from '../../../src/restream/amf0.js';
import { FlvTagSplitter } from '../../../src/restream/flv-splitter.js';
import { FlvConversionError, flvInit, flvSamples, flvTag, flvTags, headerTags, type FlvSample } from '../../../src/restream/fmp4-flv.js';
import { encode } from '../packager/fmp4-fixtures.js';
import { encodeRungs, type EncodedRung } from '../packager/fmp4-runs.js';
import { probe } from './rung-parts.js';

type FragmentEvent = Extract<Fmp4Event, { kind: 'fragment' }>;

/** The body of the box `type` that follows `after` in `bytes`, found by its fourcc: a reading independent of init.ts. */
function boxBody(bytes: Uint8Array, type: string, after = 0): Buffer {
  const buffer = Buffer.from(bytes);
  const at = buffer.indexOf(type, after, 'latin1');
  assert.ok(at >= 4, `no ${type}`);
  return buffer.subarray(at + 4, at - 4 + buffer.readUInt32BE(at - 4));
}

/** `bytes` with the first `from` after `after` replaced by `to` (same length). */
function patched(bytes: Uint8Array, after: string, from: string, to: string): Uint8Array {
  const copy = Buffer.from(bytes);
  const at = copy.indexOf(from, copy.indexOf(after, 0, 'latin1'), 'latin1');
  assert.ok(at > 0);
  copy.write(to, at, 'latin1');
  return copy;
}

describe('fMP4 to FLV', () => {
  let rung: EncodedRung;
  let fragments: FragmentEvent[];
  let dir: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'shopcast-fmp4-flv-'));
    [rung] = (await encodeRungs(2)) as [EncodedRung];
    const events = new Fmp4Reader().push(Buffer.concat([rung.init, ...rung.segments.flat()]));
    fragments = events.filter((event): event is FragmentEvent => event.kind === 'fragment');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the AVCDecoderConfigurationRecord and the AudioSpecificConfig from the init', () => {
    const { video, audio } = flvInit(rung.init);
    const info = parseInit(rung.init);
    assert.deepEqual([video?.trackId, video?.timescale, video?.width, video?.height], [1, info.tracks[0]?.timescale, 160, 90]);
    assert.deepEqual(Buffer.from(video?.avcConfig ?? []), boxBody(rung.init, 'avcC'));
    // FFmpeg writes every descriptor size in four bytes: the DecoderSpecificInfo is tag 5, 0x80 0x80 0x80, size.
    const esds = boxBody(rung.init, 'esds');
    const dsi = esds.indexOf(Buffer.from([5, 0x80, 0x80, 0x80]));
    assert.ok(dsi > 0);
    assert.deepEqual(Buffer.from(audio?.audioSpecificConfig ?? []), esds.subarray(dsi + 5, dsi + 5 + (esds[dsi + 4] ?? 0)));
    assert.deepEqual([(audio?.audioSpecificConfig[0] ?? 0) >> 3, ((audio?.audioSpecificConfig[0] ?? 0) & 7) << 1], [2, 2], 'AAC LC at 48 kHz');
    assert.deepEqual([audio?.trackId, audio?.timescale, audio?.sampleRate], [2, 48000, 48000]);
  });

  it('refuses video other than H.264 and audio other than AAC, naming the codec', () => {
    const refused = (bytes: Uint8Array, pattern: RegExp) =>
      assert.throws(() => flvInit(bytes), (err) => err instanceof FlvConversionError && pattern.test(err.message));
    refused(patched(rung.init, 'stsd', 'avc1', 'hvc1'), /video track 1 is 'hvc1': FLV restreams take H.264 only/);
    refused(patched(rung.init, 'soun', 'mp4a', 'ac-3'), /audio track 2 is 'ac-3': FLV restreams take AAC only/);
    assert.throws(() => flvInit(rung.segments[0]?.[0] ?? new Uint8Array()), Mp4FormatError);
  });

  it('writes onMetaData and the sequence headers as the ingest reads them', () => {
    const init = flvInit(rung.init);
    const tags = new FlvTagSplitter().push(Buffer.concat([flvHeader(true, true), headerTags(init, 1234)]));
    assert.deepEqual(tags.map((tag) => [tag.kind, tag.timestampMs]), [['metadata', 1234], ['video-header', 1234], ['audio-header', 1234]]);
    const [metadata, video, audio] = tags;
    assert.ok(metadata && video && audio);
    const body = (tag: typeof video) => tag.bytes.subarray(11, tag.bytes.length - 4);
    const [name, values] = decodeAmf0(body(metadata));
    assert.equal(name, 'onMetaData');
    assert.deepEqual({ ...(values as object) }, { width: 160, height: 90, videocodecid: 7, audiocodecid: 10, audiosamplerate: 48000 });
    assert.deepEqual(body(video), Buffer.concat([Buffer.from([0x17, 0, 0, 0, 0]), init.video?.avcConfig ?? new Uint8Array()]));
    assert.deepEqual(parseVideoHeader(video), { codec: 'h264', codecString: parseInit(rung.init).tracks[0]?.codecs, width: 160, height: 90 });
    assert.deepEqual(body(audio), Buffer.concat([Buffer.from([0xaf, 0]), init.audio?.audioSpecificConfig ?? new Uint8Array()]));
    assert.deepEqual(parseAudioTag(audio), { codec: 'aac', codecString: 'mp4a.40.2', sampleRate: 48000, channels: 1 }, 'the tone is mono');
  });

  it('makes one tag per sample with its bytes as stored, interleaved by decode time, keyframes where samples sync', () => {
    const init = flvInit(rung.init);
    for (const { bytes, info } of fragments) {
      const samples = flvSamples(bytes, init);
      for (const track of info.tracks) {
        const type = track.trackId === init.video?.trackId ? TAG_VIDEO : TAG_AUDIO;
        const timescale = type === TAG_VIDEO ? init.video?.timescale : init.audio?.timescale;
        const own = samples.filter((sample) => sample.type === type);
        assert.equal(own.length, track.sampleCount);
        assert.equal(own.reduce((sum, sample) => sum + sample.data.length, 0), track.sampleBytes);
        assert.equal(own[0]?.decodeMs, Math.round((track.baseMediaDecodeTime * 1000) / (timescale ?? 1)));
        assert.equal(own.at(-1)?.endMs, Math.round(((track.baseMediaDecodeTime + track.duration) * 1000) / (timescale ?? 1)));
      }
      const fragment = flvTags(samples, { shiftMs: 0, notBeforeMs: 0 });
      const tags = new FlvTagSplitter().push(Buffer.concat([flvHeader(true, true), fragment.bytes]));
      assert.equal(tags.length, samples.length);
      tags.forEach((tag, i) => {
        const sample = samples[i] as FlvSample;
        assert.equal(tag.timestampMs, sample.decodeMs);
        const head = sample.type === TAG_VIDEO ? [sample.keyframe ? 0x17 : 0x27, 1, 0, 0, 0] : [0xaf, 1];
        assert.deepEqual(tag.bytes.subarray(11, tag.bytes.length - 4), Buffer.concat([Buffer.from(head), sample.data]));
        if (i > 0) assert.ok(tag.timestampMs >= (tags[i - 1]?.timestampMs ?? 0), 'decode order');
      });
      const keyframes = fragment.keyframes.map(({ at, timestampMs }) => [parseTag(fragment.bytes.subarray(at))?.kind, timestampMs]);
      assert.deepEqual(keyframes, tags.filter((tag) => tag.kind === 'keyframe').map((tag) => ['keyframe', tag.timestampMs]));
      assert.equal(keyframes.length > 0, info.independent);
      assert.deepEqual([fragment.firstMs, fragment.lastMs], [tags[0]?.timestampMs, tags.at(-1)?.timestampMs]);
    }
  });

  it('shifts a fragment onto the timeline and stamps no tag before notBeforeMs, keeping composition times', () => {
    const init = flvInit(rung.init);
    const samples = flvSamples(fragments[1]?.bytes ?? new Uint8Array(), init);
    const third = samples[2] as FlvSample;
    const notBeforeMs = 10_000 + third.decodeMs;
    const fragment = flvTags(samples, { shiftMs: 10_000, notBeforeMs });
    const tags = new FlvTagSplitter().push(Buffer.concat([flvHeader(true, true), fragment.bytes]));
    assert.deepEqual(
      tags.map((tag) => tag.timestampMs),
      samples.map((sample) => Math.max(notBeforeMs, sample.decodeMs + 10_000)),
    );
    assert.equal(fragment.endMs, Math.max(...samples.map((sample) => sample.endMs)) + 10_000);
    assert.deepEqual(flvTags([], { shiftMs: 5, notBeforeMs: 70 }), { bytes: Buffer.alloc(0), keyframes: [], firstMs: 70, lastMs: 70, endMs: 70 });
  });

  it('keeps B-frames\' presentation times: ffprobe reads the FLV with the fMP4\'s timestamps, to the millisecond', async () => {
    const mp4 = await encode('/usr/bin/ffmpeg', { videoOptions: ['-preset', 'veryfast'] });
    const mp4File = path.join(dir, 'bframes.mp4');
    writeFileSync(mp4File, mp4);
    const chunks: Buffer[] = [];
    let init: ReturnType<typeof flvInit> | undefined;
    for (const event of new Fmp4Reader().push(mp4)) {
      if (event.kind === 'init') {
        init = flvInit(event.bytes);
        chunks.push(flvHeader(true, true), headerTags(init, 0));
      } else if (event.kind === 'fragment' && init !== undefined) {
        chunks.push(flvTags(flvSamples(event.bytes, init), { shiftMs: 0, notBeforeMs: 0 }).bytes);
      }
    }
    const flvFile = path.join(dir, 'bframes.flv');
    writeFileSync(flvFile, Buffer.concat(chunks));
    const [fromMp4, fromFlv] = await Promise.all([probe(mp4File), probe(flvFile)]);
    const video = (packets: typeof fromMp4.packets) => packets.filter((p) => p.stream === 'video').map((p) => [Math.round(p.dtsMs), Math.round(p.ptsMs)]);
    assert.ok(video(fromMp4.packets).some(([dts, pts]) => pts !== dts), 'the encode has B-frames');
    assert.deepEqual(video(fromFlv.packets), video(fromMp4.packets));
    assert.deepEqual(fromFlv.streams.map((s) => [s.codec, s.profile]), fromMp4.streams.map((s) => [s.codec, s.profile]));
  });

  it('refuses bytes that are not fragments, and composition times FLV has no room for', () => {
    const init = flvInit(rung.init);
    const fragment = fragments[0]?.bytes ?? new Uint8Array();
    const notFragment = (bytes: Uint8Array, pattern: RegExp) =>
      assert.throws(() => flvSamples(bytes, init), (err) => err instanceof Mp4FormatError && pattern.test(err.message));
    notFragment(rung.init, /no moof/);
    notFragment(fragment.subarray(0, Buffer.from(fragment).indexOf('mdat', 0, 'latin1') - 4), /'moof' not followed by 'mdat'/);
    notFragment(fragment.subarray(0, fragment.length - 1), /past its parent|truncated/);
    const sample: FlvSample = { type: TAG_VIDEO, decodeMs: 0, endMs: 33, compositionMs: 2 ** 23, keyframe: true, data: new Uint8Array(4) };
    assert.throws(() => flvTags([sample], { shiftMs: 0, notBeforeMs: 0 }), FlvConversionError);
    assert.doesNotThrow(() => flvTags([{ ...sample, compositionMs: -(2 ** 23) + 1 }], { shiftMs: 0, notBeforeMs: 0 }));
  });

  it('writes tag headers with the timestamp extension byte, stream id 0, and PreviousTagSize', () => {
    const tag = flvTag(TAG_AUDIO, 0x12345678, Uint8Array.of(1, 2), Uint8Array.of(3));
    assert.deepEqual([...tag], [8, 0, 0, 3, 0x34, 0x56, 0x78, 0x12, 0, 0, 0, 1, 2, 3, 0, 0, 0, 14]);
    assert.equal(parseTag(tag)?.timestampMs, 0x12345678);
  });
});
