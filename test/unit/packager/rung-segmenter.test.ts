import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { RungSegmenter, type RungPart, type RungSegment } from '../../../src/packager/rung-segmenter.js';
import { SourceKeyframes } from '../../../src/packager/source-keyframes.js';
import { encodeRungs, type EncodedRung } from './fmp4-runs.js';

// Real FFmpeg output: 8 s of one rung, keyframes every 2 s, parts of 1/3 s. Like an encoded rung of a run, its
// timeline sits a little off its source's: the first part is 21 ms longer (AAC priming).
let rung: EncodedRung;
before(async () => {
  [rung] = (await encodeRungs(8)) as [EncodedRung];
});

interface Cut {
  push: (bytes: Uint8Array) => void;
  parts: RungPart[];
  segments: RungSegment[];
}

function segmenter(announced?: number[], segmentDurationS = 2): Cut {
  const parts: RungPart[] = [];
  const segments: RungSegment[] = [];
  let sourceKeyframes: SourceKeyframes | undefined;
  if (announced !== undefined) {
    sourceKeyframes = new SourceKeyframes();
    announced.forEach((t) => sourceKeyframes?.add(t));
  }
  const cutter = new RungSegmenter({
    segmentDurationS,
    onPart: (part) => parts.push(part),
    onSegment: (segment) => segments.push(segment),
    sourceKeyframes,
  });
  cutter.push(rung.init);
  return { push: (bytes) => cutter.push(bytes), parts, segments };
}

const round = (s: number): number => Math.round(s * 1000) / 1000;

test('without announced keyframes, a segment is finished when the next keyframe part arrives', () => {
  const { push, segments } = segmenter();
  rung.segments[0]!.forEach(push);
  assert.equal(segments.length, 0, 'all six parts of segment 0 are in, but nothing says the seventh starts a GOP');
  push(rung.segments[1]![0]!);
  assert.equal(segments.length, 1);
});

test('with announced keyframes, a segment is finished with its own last part once the offset is learnt', () => {
  const { push, parts, segments } = segmenter([0, 2, 4, 6]);
  rung.segments[0]!.forEach(push);
  assert.equal(segments.length, 0, 'the rung\'s offset from the source is not known before its second keyframe');
  push(rung.segments[1]![0]!);
  assert.equal(segments.length, 1);
  rung.segments[1]!.slice(1).forEach(push);
  assert.equal(segments.length, 2, 'finished with its last part: 4.021 s on the rung is the announced 4 s');
  assert.deepEqual(Buffer.from(segments[1]!.bytes), Buffer.concat(rung.segments[1]!), 'exactly its parts');
  assert.equal(round(segments[1]!.durationS), 2);
  push(rung.segments[2]![0]!);
  assert.deepEqual([parts.at(-1)!.segment, parts.at(-1)!.index, parts.at(-1)!.independent], [2, 0, true]);
  assert.equal(segments.length, 2, 'the keyframe part that follows closes nothing again');
  rung.segments[2]!.slice(1).forEach(push);
  assert.equal(segments.length, 3);
});

test('an announcement the rung does not follow costs one segment: prediction stops until the next keyframe part', () => {
  // 1.5 s segments over 2 s GOPs, and a keyframe announced at 3.667 s that the rung does not have.
  const { push, parts, segments } = segmenter([0, 2, 11 / 3, 4, 6], 1.5);
  rung.segments.slice(0, 3).flat().forEach(push);
  assert.deepEqual(segments.map((s) => round(s.durationS)), [2.021, 1.667, 2.333]);
  const firstOfSecond = parts.find((part) => part.segment === 2);
  assert.equal(firstOfSecond?.independent, false, 'the segment after the wrong announcement starts without a keyframe');
  assert.equal(parts.filter((part) => part.segment === 3).length, 0, 'the last, at the announced 6 s, closed with its last part');
});
