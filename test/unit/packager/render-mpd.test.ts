// The DASH manifest of a show, parsed back with an XML parser: live and ended, one period per run, exact timelines.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { dashInitFileName, dashMediaTemplate } from '../../../src/media-names.js';
import type { Rung } from '../../../src/media.js';
import { renderMpd } from '../../../src/packager/render-mpd.js';
import { Show } from '../../../src/packager/show.js';
import { rung } from './fixtures.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const RUNGS = [rung('360p', 640, 360, 800), rung('180p', 320, 180, 300)];
const UTC = 'https://shop.example/api/time?iso=1&x=2';

type Node = Record<string, unknown>;
interface S {
  t?: number;
  d: number;
  r?: number;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  isArray: (name) => ['Period', 'AdaptationSet', 'Representation', 'S', 'UTCTiming'].includes(name),
});

function parse(xml: string): Node {
  assert.equal(XMLValidator.validate(xml), true);
  return (parser.parse(xml) as { MPD: Node }).MPD;
}

const periodsOf = (mpd: Node): Node[] => mpd.Period as Node[];
const setsOf = (period: Node): Node[] => period.AdaptationSet as Node[];
const timelineOf = (set: Node): S[] =>
  (((set.SegmentTemplate as Node).SegmentTimeline as Node).S as Node[]).map((s) => ({
    ...(s.t === undefined ? {} : { t: Number(s.t) }),
    d: Number(s.d),
    ...(s.r === undefined ? {} : { r: Number(s.r) }),
  }));
/** Every segment's duration, repeats expanded. */
const durationsOf = (set: Node): number[] => timelineOf(set).flatMap((s) => Array<number>((s.r ?? 0) + 1).fill(s.d));

/** A show with `runs` runs, their segments' durations given; each run starts `gapS` after the previous one ended. */
function showOf(runs: number[][], { windowSegments = 10, gapS = 5, runTimes = true } = {}): Show {
  const show = new Show({ showId: 'mf3k2a', rungs: RUNGS, windowSegments, segmentDurationS: 2 });
  let clockMs = T0;
  for (const durations of runs) {
    const runIndex = show.beginRun();
    const anchorMs = clockMs;
    let runTimeS = 0;
    for (const durationS of durations) {
      show.append({
        runIndex,
        durationS,
        programDateTimeMs: anchorMs + runTimeS * 1000,
        publishedAtMs: anchorMs + (runTimeS + durationS) * 1000 + 150,
        ...(runTimes ? { runTimeS } : {}),
      });
      runTimeS += durationS;
    }
    clockMs = anchorMs + (runTimeS + gapS) * 1000;
  }
  return show;
}

function render(show: Show, rungs: readonly Rung[] = RUNGS): string {
  return renderMpd({ show, rungs, utcTimingUrl: UTC });
}

describe('DASH manifest', () => {
  it('is a dynamic live-profile MPD while live, with its clock, window and delays', () => {
    const show = showOf([[2, 2, 2, 2, 2, 2]], { windowSegments: 4 });
    const mpd = parse(render(show));
    assert.equal(mpd.xmlns, 'urn:mpeg:dash:schema:mpd:2011');
    assert.equal(mpd.profiles, 'urn:mpeg:dash:profile:isoff-live:2011');
    assert.equal(mpd.type, 'dynamic');
    assert.equal(mpd.availabilityStartTime, '1970-01-01T00:00:00Z');
    assert.equal(mpd.publishTime, new Date(T0 + 12_150).toISOString(), 'when the newest segment was published');
    assert.equal(mpd.minimumUpdatePeriod, 'PT2S');
    assert.equal(mpd.timeShiftBufferDepth, 'PT8S', 'the window');
    assert.equal(mpd.suggestedPresentationDelay, 'PT6S');
    assert.equal(mpd.minBufferTime, 'PT2S');
    assert.equal(mpd.mediaPresentationDuration, undefined);
    assert.deepEqual(mpd.UTCTiming, [{ schemeIdUri: 'urn:mpeg:dash:utc:http-iso:2014', value: UTC }]);
  });

  it('lists every rung as video and the shared audio once, from the rungs\' folders', () => {
    const [period] = periodsOf(parse(render(showOf([[2, 2]]))));
    assert.ok(period);
    const [video, audio, more] = setsOf(period);
    assert.equal(more, undefined);
    assert.ok(video && audio);
    assert.deepEqual(
      { ...video, SegmentTemplate: undefined, Representation: undefined },
      { id: '0', contentType: 'video', mimeType: 'video/mp4', segmentAlignment: 'true', startWithSAP: '1', SegmentTemplate: undefined, Representation: undefined },
    );
    assert.deepEqual(video.Representation, [
      { id: '360p.v', codecs: 'avc1.64001f', bandwidth: String(928 * 1100 - 128_000), width: '640', height: '360', frameRate: '30', BaseURL: '360p/' },
      { id: '180p.v', codecs: 'avc1.64001f', bandwidth: String(428 * 1100 - 128_000), width: '320', height: '180', frameRate: '30', BaseURL: '180p/' },
    ]);
    assert.equal(audio.contentType, 'audio');
    assert.equal(audio.mimeType, 'audio/mp4');
    assert.deepEqual(audio.Representation, [{ id: '360p.a', codecs: 'mp4a.40.2', bandwidth: '128000', BaseURL: '360p/' }]);
    const template = video.SegmentTemplate as Node;
    assert.equal(template.timescale, '1000');
    assert.equal(template.initialization, dashInitFileName('mf3k2a', 0, 'v'));
    assert.equal(template.media, dashMediaTemplate('mf3k2a', 'v'));
    assert.equal((audio.SegmentTemplate as Node).media, dashMediaTemplate('mf3k2a', 'a'));
  });

  it('gives each distinct audio encoding a representation', () => {
    const low = { ...rung('160p', 284, 160, 120), audio: { copy: false, bitrateKbps: 48 }, fps: 29.97 };
    const [period] = periodsOf(parse(render(showOf([[2]]), [...RUNGS, low])));
    const [video, audio] = setsOf(period as Node);
    assert.deepEqual((audio?.Representation as Node[]).map((r) => [r.id, r.bandwidth]), [['360p.a', '128000'], ['160p.a', '48000']]);
    assert.equal((video?.Representation as Node[])[2]?.frameRate, '29970/1000');
  });

  it('numbers segments by msn and times them exactly, repeats folded, after the window slid', () => {
    const show = showOf([[2, 2, 2, 2.005, 1.995, 2, 2, 1.5]], { windowSegments: 6 });
    const [period] = periodsOf(parse(render(show)));
    assert.ok(period);
    assert.equal(period.id, 'run0');
    assert.equal(period.start, `PT${T0 / 1000}S`, 'the run began at its first program date time');
    for (const set of setsOf(period)) {
      assert.equal((set.SegmentTemplate as Node).startNumber, '2');
      assert.deepEqual(timelineOf(set), [{ t: 4000, d: 2000 }, { d: 2005 }, { d: 1995 }, { d: 2000, r: 1 }, { d: 1500 }]);
    }
  });

  it('starts a period at each run in the window, as HLS starts a discontinuity', () => {
    const show = showOf([[2, 2, 2], [2, 2], [1.6]], { windowSegments: 5, gapS: 3 });
    const periods = periodsOf(parse(render(show)));
    assert.deepEqual(periods.map((p) => p.id), ['run0', 'run1', 'run2']);
    // Run 1 began 3 s after run 0's 6 s, run 2 3 s after run 1's 4 s.
    assert.deepEqual(periods.map((p) => p.start), [`PT${T0 / 1000}S`, `PT${T0 / 1000 + 9}S`, `PT${T0 / 1000 + 16}S`]);
    const video = periods.map((p) => setsOf(p)[0] as Node);
    assert.deepEqual(video.map((set) => (set.SegmentTemplate as Node).startNumber), ['1', '3', '5']);
    assert.deepEqual(video.map((set) => (set.SegmentTemplate as Node).initialization), [0, 1, 2].map((run) => dashInitFileName('mf3k2a', run, 'v')));
    assert.deepEqual(video.map(durationsOf), [[2000, 2000], [2000, 2000], [1600]]);
    assert.deepEqual(video.map((set) => timelineOf(set)[0]?.t), [2000, 0, 0]);
    const listed = show.segments.reduce((sum, s) => sum + s.durationS * 1000, 0);
    assert.equal(video.flatMap(durationsOf).reduce((a, b) => a + b, 0), listed, 'the timelines add up to the window');
  });

  it('is static with the full timeline once the show ended, periods counted from the first', () => {
    const show = showOf([[2, 2, 2, 2], [2, 1.2]], { gapS: 1, windowSegments: 5 });
    show.end();
    const mpd = parse(render(show));
    assert.equal(mpd.type, 'static');
    for (const absent of ['minimumUpdatePeriod', 'availabilityStartTime', 'timeShiftBufferDepth', 'UTCTiming']) {
      assert.equal(mpd[absent], undefined, absent);
    }
    assert.equal(mpd.mediaPresentationDuration, 'PT10.2S', 'the 6 s listed of run 0, a 1 s gap, 3.2 s');
    const periods = periodsOf(mpd);
    assert.deepEqual(periods.map((p) => p.start), ['PT0S', 'PT7S']);
    const audio = periods.map((p) => setsOf(p)[1] as Node);
    assert.deepEqual(audio.map((set) => (set.SegmentTemplate as Node).presentationTimeOffset), ['2000', undefined], 'what slid out is skipped');
    assert.deepEqual(audio.map(durationsOf), [[2000, 2000, 2000], [2000, 1200]]);
  });

  it('counts from the run\'s first listed segment when segments carry no run time (shows persisted before it)', () => {
    const [period] = periodsOf(parse(render(showOf([[2, 2, 2]], { runTimes: false }))));
    assert.equal(period?.start, `PT${T0 / 1000}S`);
    assert.deepEqual(timelineOf(setsOf(period as Node)[0] as Node), [{ t: 0, d: 2000, r: 2 }]);
  });

  it('lets a run whose clock stepped back before the previous run supersede it', () => {
    const show = new Show({ showId: 'mf3k2a', rungs: RUNGS, windowSegments: 10, segmentDurationS: 2 });
    const first = show.beginRun();
    show.append({ runIndex: first, durationS: 2, programDateTimeMs: T0, publishedAtMs: T0, runTimeS: 0 });
    const second = show.beginRun();
    show.append({ runIndex: second, durationS: 2, programDateTimeMs: T0 - 500, publishedAtMs: T0, runTimeS: 0 });
    assert.deepEqual(periodsOf(parse(render(show))).map((p) => p.id), ['run1']);
  });

  it('while a run makes segments: the one being made and the next listed ahead, available once their first part is', () => {
    const show = showOf([[2, 2], [2, 1.967]]);
    const lowLatency = { runIndex: 1, segmentDurationS: 2, partTargetS: 0.367 };
    const mpd = parse(renderMpd({ show, rungs: RUNGS, utcTimingUrl: UTC, lowLatency }));
    assert.deepEqual(mpd.ServiceDescription, {
      id: '0',
      Latency: { referenceId: '0', target: '1200', min: '800', max: '3000' },
      PlaybackRate: { min: '0.96', max: '1.1' },
    });
    const [old, live] = periodsOf(mpd);
    assert.ok(old && live);
    for (const set of setsOf(live)) {
      const template = set.SegmentTemplate as Node;
      assert.equal(template.availabilityTimeOffset, '1.633', 'a segment duration less a part');
      assert.equal(template.availabilityTimeComplete, 'false', 'sent as it grows');
      assert.deepEqual(durationsOf(set), [2000, 1967, 2000, 2000], 'two planned segments after the listed ones');
      assert.equal(template.startNumber, '2');
    }
    for (const set of setsOf(old)) {
      assert.equal((set.SegmentTemplate as Node).availabilityTimeOffset, undefined, 'an earlier run\'s period is whole');
      assert.deepEqual(durationsOf(set), [2000, 2000]);
    }
    const between = parse(renderMpd({ show, rungs: RUNGS, utcTimingUrl: UTC, lowLatency: { ...lowLatency, runIndex: 2 } }));
    assert.equal(between.ServiceDescription, undefined, 'a new run has no period yet: nothing is listed ahead');
    assert.deepEqual(durationsOf(setsOf(periodsOf(between)[1] as Node)[0] as Node), [2000, 1967]);
    show.end();
    const ended = parse(renderMpd({ show, rungs: RUNGS, utcTimingUrl: UTC, lowLatency }));
    assert.equal(ended.ServiceDescription, undefined, 'nor after the end');
  });

  it('refuses a show with nothing to describe', () => {
    assert.throws(() => render(showOf([])), RangeError);
  });
});
