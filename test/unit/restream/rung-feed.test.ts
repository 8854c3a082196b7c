// A rung's fMP4 parts as an FLV feed: FFmpeg runs in, ffprobe and the restream splitter on what comes out; late
// sinks, new runs, refused parts, the keyframe interval, the wall clock, bounds and the end.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseVideoHeader, type FlvTag } from '../../../src/ingest/flv.js';
import { Fmp4Reader } from '../../../src/packager/fmp4/reader.js';
import type { RungMedia } from '../../../src/packager/packager.js';
import { RungFeed, RungPartError } from '../../../src/restream/rung-feed.js';
import { encodeRungs, type EncodedRung } from '../packager/fmp4-runs.js';
import { CollectingSink, decodeErrors, partsOf, probe, runBytes, type Probed } from './rung-parts.js';

const FRAME_MS = 1000 / 30;

/** Where each part's media ends, in ms of its run: the later of its tracks' ends. */
function partEndsMs(rung: EncodedRung): number[] {
  let timescales = new Map<number, number>();
  const ends: number[] = [];
  for (const event of new Fmp4Reader().push(runBytes(rung))) {
    if (event.kind === 'init') timescales = new Map(event.info.tracks.map((track) => [track.trackId, track.timescale]));
    if (event.kind !== 'fragment') continue;
    const trackEnds = event.info.tracks.map((t) => Math.round(((t.baseMediaDecodeTime + t.duration) * 1000) / (timescales.get(t.trackId) ?? 1)));
    ends.push(Math.max(...trackEnds));
  }
  return ends;
}

const mediaTags = (tags: FlvTag[]) => tags.filter((tag) => tag.kind === 'keyframe' || tag.kind === 'video' || tag.kind === 'audio');
const kinds = (tags: FlvTag[]) => tags.map((tag) => tag.kind);

function pushAll(feed: RungFeed, parts: RungMedia[]): void {
  for (const part of parts) feed.push(part);
}

describe('RungFeed', () => {
  let dir: string;
  /** Two fresh encodes of the 160x90 rung, and one of the 96x54 (another configuration). */
  let a: RungMedia[];
  let b: RungMedia[];
  let small: RungMedia[];
  let probedA: Probed;
  let probedB: Probed;
  let endsA: number[];
  let endsB: number[];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'shopcast-rung-feed-'));
    const [[runA], [runB, runSmall]] = await Promise.all([encodeRungs(4), encodeRungs(4)]);
    assert.ok(runA && runB && runSmall);
    [a, b, small] = [partsOf('a', runA), partsOf('b', runB), partsOf('small', runSmall)];
    [endsA, endsB] = [partEndsMs(runA), partEndsMs(runB)];
    writeFileSync(path.join(dir, 'a.mp4'), runBytes(runA));
    writeFileSync(path.join(dir, 'b.mp4'), runBytes(runB));
    [probedA, probedB] = await Promise.all([probe(path.join(dir, 'a.mp4')), probe(path.join(dir, 'b.mp4'))]);
    assert.equal(a.length, 12, 'two GOPs of six parts');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const save = (name: string, sink: CollectingSink): string => {
    const file = path.join(dir, name);
    writeFileSync(file, sink.bytes);
    return file;
  };

  it('makes two FFmpeg runs one valid H.264+AAC FLV: every frame, both runs\' length, no timestamp going back', async () => {
    const feed = new RungFeed();
    const sink = new CollectingSink();
    feed.attach(sink);
    pushAll(feed, [...a, ...b]);
    const file = save('two-runs.flv', sink);
    const flv = await probe(file);
    assert.equal(await decodeErrors(file), '');
    assert.deepEqual(flv.streams.map((s) => [s.codec, s.width]), [['h264', 160], ['aac', undefined]]);
    for (const stream of ['video', 'audio'] as const) {
      const packets = flv.packets.filter((p) => p.stream === stream);
      const ofRun = (probed: Probed) => probed.packets.filter((p) => p.stream === stream);
      assert.equal(packets.length, ofRun(probedA).length + ofRun(probedB).length, `${stream} frames`);
      packets.forEach((p, i) => assert.ok(i === 0 || p.dtsMs >= (packets[i - 1]?.dtsMs ?? 0), `${stream} dts goes back at ${i}`));
    }
    // Video: all of run a, then run b from its first frame to its last.
    const video = (probed: Probed) => probed.packets.filter((p) => p.stream === 'video');
    const lengthA = video(probedA).reduce((sum, p) => sum + p.durationMs, 0);
    const spanB = (video(probedB).at(-1)?.dtsMs ?? 0) - (video(probedB)[0]?.dtsMs ?? 0);
    const spanFlv = (video(flv).at(-1)?.dtsMs ?? 0) - (video(flv)[0]?.dtsMs ?? 0);
    assert.ok(Math.abs(spanFlv - (lengthA + spanB)) <= FRAME_MS, `${spanFlv} ms of video for ${lengthA} + ${spanB}`);

    const tags = sink.tags();
    assert.deepEqual(kinds(tags).slice(0, 4), ['metadata', 'video-header', 'audio-header', 'keyframe']);
    assert.equal(kinds(tags).filter((kind) => kind === 'video-header').length, 1, 'the same configuration is not sent again');
    tags.forEach((tag, i) => assert.ok(i === 0 || tag.timestampMs >= (tags[i - 1]?.timestampMs ?? 0), `tag ${i} goes back`));
    const firstOfB = mediaTags(tags)[mediaTags(tags).length - probedB.packets.length];
    assert.equal(firstOfB?.timestampMs, endsA.at(-1), 'run b starts where run a\'s media ends');
    const keyframeMs = tags.filter((tag) => tag.kind === 'keyframe').map((tag) => tag.timestampMs);
    assert.equal(keyframeMs.length, 4);
    assert.deepEqual(sink.keyframeTimesS, keyframeMs.map((ms) => (ms - (keyframeMs[0] ?? 0)) / 1000));
    assert.equal(feed.receivedBytes, [...a, ...b].reduce((sum, part) => sum + part.bytes.length, 0));
  });

  it('starts a sink attached mid-GOP with the headers, then that GOP\'s keyframe, then what every sink gets', async () => {
    const feed = new RungFeed();
    const early = new CollectingSink();
    feed.attach(early);
    pushAll(feed, a.slice(0, 8));
    const late = new CollectingSink();
    feed.attach(late);
    pushAll(feed, [...a.slice(8), ...b]);
    const lateTags = late.tags();
    assert.deepEqual(kinds(lateTags).slice(0, 4), ['metadata', 'video-header', 'audio-header', 'keyframe']);
    const keyframe = lateTags[3];
    const earlyTags = early.tags();
    const from = earlyTags.findIndex((tag) => tag.kind === 'keyframe' && tag.timestampMs === keyframe?.timestampMs);
    assert.ok(from > 0 && (keyframe?.timestampMs ?? 0) > 2000, 'the second GOP\'s keyframe');
    assert.deepEqual(lateTags.slice(3).map((tag) => tag.bytes), earlyTags.slice(from).map((tag) => tag.bytes));
    assert.deepEqual(late.keyframeTimesS, early.keyframeTimesS.slice(1).map((s) => s - (early.keyframeTimesS[1] ?? 0)));
    assert.equal(await decodeErrors(save('late.flv', late)), '');
  });

  it('sends a run\'s new configuration before its first tag, to sinks that had the old; a later sink gets only the new', async () => {
    const feed = new RungFeed();
    const sink = new CollectingSink();
    feed.attach(sink);
    pushAll(feed, [...a, ...small.slice(0, 3)]);
    const later = new CollectingSink();
    feed.attach(later);
    pushAll(feed, small.slice(3));
    const tags = sink.tags();
    const headers = tags.flatMap((tag, i) => (tag.kind === 'video-header' ? [i] : []));
    assert.equal(headers.length, 2);
    const [, second] = headers as [number, number];
    assert.deepEqual(kinds(tags.slice(second - 1, second + 3)), ['metadata', 'video-header', 'audio-header', 'keyframe']);
    assert.equal(parseVideoHeader(tags[second] as FlvTag).width, 96);
    assert.equal(tags[second]?.timestampMs, tags[second + 2]?.timestampMs, 'at the new run\'s first tag');
    assert.ok((tags[second]?.timestampMs ?? 0) >= (tags[second - 2]?.timestampMs ?? Infinity), 'after run a\'s last');
    const laterTags = later.tags();
    assert.equal(kinds(laterTags).filter((kind) => kind === 'video-header').length, 1);
    assert.equal(parseVideoHeader(laterTags[1] as FlvTag).width, 96);
    assert.equal(await decodeErrors(save('new-config.flv', sink)), '');
  });

  it('refuses a malformed part or an init it cannot carry, changing nothing; drops a part it cannot decode yet', () => {
    const reference = new RungFeed();
    const expected = new CollectingSink();
    reference.attach(expected);
    pushAll(reference, a);

    const feed = new RungFeed();
    const sink = new CollectingSink();
    feed.attach(sink);
    pushAll(feed, a.slice(0, 3));
    const [written, received] = [sink.bytes.length, feed.receivedBytes];
    const part = a[3] as RungMedia;
    const hevc = Buffer.from(part.init);
    hevc.write('hvc1', hevc.indexOf('avc1', hevc.indexOf('stsd', 0, 'latin1'), 'latin1'), 'latin1');
    const refused = (bad: RungMedia, pattern: RegExp) =>
      assert.throws(() => feed.push(bad), (err) => err instanceof RungPartError && pattern.test(err.message) && err.cause instanceof Error);
    refused({ ...part, bytes: Buffer.from('not a fragment at all') }, /part of run a refused/);
    refused({ ...part, bytes: part.bytes.subarray(0, part.bytes.length - 10) }, /run a/);
    refused({ ...part, runId: 'x', init: hevc, independent: true }, /'hvc1': FLV restreams take H.264 only/);
    refused({ ...part, runId: 'y', init: new Uint8Array(16), independent: true }, /run y/);
    feed.push(b[1] as RungMedia); // a new run's part before its first keyframe
    assert.deepEqual([sink.bytes.length, feed.receivedBytes], [written, received]);
    pushAll(feed, a.slice(3));
    assert.deepEqual(sink.bytes, expected.bytes, 'the stream goes on as if nothing had come');
  });

  it('tells the interval between the first two keyframes; null once the media ran past maxMs, or at the end', async () => {
    const feed = new RungFeed();
    const interval = feed.keyframeInterval(5000);
    pushAll(feed, a);
    const keyframes = probedA.packets.filter((p) => p.stream === 'video' && p.key).map((p) => p.dtsMs);
    assert.ok(Math.abs(((await interval) ?? 0) - ((keyframes[1] ?? 0) - (keyframes[0] ?? 0)) / 1000) <= 0.001);
    assert.equal(await feed.keyframeInterval(10), await interval, 'known: answered at once');

    const oneGop = new RungFeed();
    const short = oneGop.keyframeInterval(1000);
    pushAll(oneGop, a.slice(0, 6));
    assert.equal(await short, null);
    const ended = new RungFeed();
    const pending = ended.keyframeInterval(5000);
    ended.end();
    assert.equal(await pending, null);
  });

  it('estimates the wall clock of a sink\'s first tag from the smallest lag of its run\'s parts', () => {
    let clock = 5_000;
    const feed = new RungFeed({ now: () => clock });
    const early = feed.attach(new CollectingSink());
    assert.equal(early.mediaStartWallClockMs(), 5_000, 'no media yet: when it attached');
    const T0 = 1_000_000;
    a.forEach((part, i) => {
      clock = T0 + (endsA[i] ?? 0) + (i === 3 ? 40 : 400);
      feed.push(part);
      if (i === 2) assert.equal(early.mediaStartWallClockMs(), T0 + 400);
    });
    assert.equal(early.mediaStartWallClockMs(), T0 + 40);
    // Run b comes 10 s of wall clock later, its tags straight after run a's: its own clock.
    const shiftB = endsA.at(-1) ?? 0;
    let late: ReturnType<RungFeed['attach']> | undefined;
    b.forEach((part, i) => {
      clock = T0 + 10_000 + shiftB + (endsB[i] ?? 0) + 100;
      feed.push(part);
      if (i === 0) late = feed.attach(new CollectingSink());
    });
    assert.equal(late?.mediaStartWallClockMs(), T0 + 10_000 + shiftB + 100);
    assert.equal(early.mediaStartWallClockMs(), T0 + 40, 'a sink of run a keeps run a\'s clock');
  });

  it('keeps no more GOP than it may: a late sink then waits for the next keyframe', () => {
    const feed = new RungFeed({ maxGopBytes: 1000 });
    pushAll(feed, a.slice(0, 8));
    const sink = new CollectingSink();
    feed.attach(sink);
    assert.deepEqual(kinds(sink.tags()), ['metadata', 'video-header', 'audio-header']);
    pushAll(feed, [...a.slice(8), ...b]);
    const first = mediaTags(sink.tags())[0];
    assert.deepEqual([first?.kind, first?.timestampMs], ['keyframe', endsA.at(-1)], 'run b\'s first keyframe');
  });

  it('lets its sinks go at the end and takes nothing more', () => {
    const feed = new RungFeed();
    const sink = new CollectingSink();
    feed.attach(sink);
    pushAll(feed, a.slice(0, 6));
    const [written, received] = [sink.bytes.length, feed.receivedBytes];
    feed.end();
    pushAll(feed, a.slice(6));
    const after = new CollectingSink();
    feed.attach(after);
    assert.deepEqual([sink.bytes.length, feed.receivedBytes, after.bytes.length], [written, received, 0]);
  });
});
