// After a system run: places every rung's segments in the publisher's timeline (content-located run starts), and
// derives live-edge delays and player latencies from it.
import { pictureLatencyS, readPictureClock } from './picture-clock.js';
import type { AnchorResult, DelayResult, PlayerResult, PlayerSample } from './model.js';
import { locateClip, type GrayVideo } from './frame-match.js';
import { decodeFingerprints } from './media-files.js';
import type { WatchedRung } from './measure/playlist-watch.js';
import { PROBE_FRAMES } from './measure/quality.js';
import { SOURCE } from './publisher.js';
import { liveEdgeDelaysS, partDelaysS, placeSegments, timelineLatencyS, type PartSighting, type TimedSegment } from './segment-log.js';

export interface PlaceRungsOptions {
  ffmpegPath: string;
  rungs: readonly WatchedRung[];
  source: GrayVideo;
  t0Ms: number;
}

export interface PlacedRungs {
  placed: Map<string, TimedSegment[]>;
  anchors: AnchorResult[];
}

/** Finds where each run of each rung starts in the source, then places its segments by their EXTINF durations. */
export async function placeRungs({ ffmpegPath, rungs, source, t0Ms }: PlaceRungsOptions): Promise<PlacedRungs> {
  const placed = new Map<string, TimedSegment[]>();
  const anchors: AnchorResult[] = [];
  for (const rung of rungs) {
    const starts = new Map<number, number>();
    for (const [run, { file, sighting }] of rung.runStartClips) {
      const base = { rung: rung.label, run, msn: sighting.msn };
      try {
        const probe = await decodeFingerprints({
          ffmpegPath,
          file,
          sourceWidth: SOURCE.width,
          sourceHeight: SOURCE.height,
          maxFrames: PROBE_FRAMES,
        });
        // Nothing in the segment can have been published after it was listed.
        const lastSourceFrame = Math.ceil(((sighting.firstSeenMs - t0Ms) / 1000) * SOURCE.fps);
        const located = locateClip({ source, probe, probeFrames: PROBE_FRAMES, lastSourceFrame });
        if (!located) throw new Error('run start could not be located in the recording');
        starts.set(run, located.offset / SOURCE.fps);
        const { offset, agreeing, compared, medianCost, medianMargin } = located;
        anchors.push({ ...base, sourceFrame: offset, agreeing, compared, medianCost, medianMargin, error: null });
      } catch (err) {
        anchors.push({ ...base, sourceFrame: null, agreeing: null, compared: null, medianCost: null, medianMargin: null, error: (err as Error).message });
      }
    }
    placed.set(rung.label, placeSegments(rung.log.sightings, starts));
  }
  return { placed, anchors };
}

export interface DelayOptions {
  placed: PlacedRungs;
  /** Each rung's LL-HLS parts as first listed. */
  parts: ReadonlyMap<string, readonly PartSighting[]>;
  topRung: string;
  /** Wall clock of the publisher's media time 0. */
  originMs: number;
  fromMs: number;
  toMs: number;
  runsOnTop: number;
}

export function delays({ placed, parts, topRung, originMs, fromMs, toMs, runsOnTop }: DelayOptions): DelayResult {
  const window = { originMs, fromMs, toMs };
  const perRung: Record<string, number[]> = {};
  const partsPerRung: Record<string, number[]> = {};
  for (const [label, segments] of placed.placed) {
    perRung[label] = liveEdgeDelaysS(segments, window);
    partsPerRung[label] = partDelaysS(parts.get(label) ?? [], segments, window);
  }
  return {
    topRung,
    samplesS: perRung[topRung] ?? [],
    perRung,
    partSamplesS: partsPerRung[topRung] ?? [],
    partsPerRung,
    runs: runsOnTop,
    anchors: placed.anchors,
  };
}

export interface PlayerLatencyOptions {
  samples: readonly PlayerSample[];
  placed: PlacedRungs;
  /** Wall clock of the publisher's media time 0. */
  originMs: number;
  timeToPlayingS: number | null;
  pageToFirstFrameS: number | null;
  /** The publisher's frame rate: the picture clock counts frames. */
  fps: number;
}

/** Every latency for every sample: from PROGRAM-DATE-TIME where the system writes it, and from the timeline. */
export function playerLatencies({ samples, placed, originMs, timeToPlayingS, pageToFirstFrameS, fps }: PlayerLatencyOptions): PlayerResult {
  const all = [...placed.placed.values()].flat();
  const timeline = samples.flatMap((s) => {
    if (s.fragUrl === null || s.fragStart === null) return [];
    const at = { wallMs: s.wallMs, fragUrl: s.fragUrl, offsetS: s.currentTime - s.fragStart };
    const latency = timelineLatencyS(all, at, originMs);
    return latency === null ? [] : [latency];
  });
  const pdt = samples.flatMap((s) => (s.playingDateMs === null ? [] : [(s.wallMs - s.playingDateMs) / 1000]));
  const picture = samples.flatMap((s) => {
    const frame = s.lumas === null ? null : readPictureClock(s.lumas);
    return frame === null ? [] : [pictureLatencyS(frame, s.wallMs, originMs, fps)];
  });
  return {
    pdtLatencyS: pdt.length > 0 ? pdt : null,
    timelineLatencyS: timeline,
    pictureLatencyS: picture,
    timeToPlayingS,
    pageToFirstFrameS,
    samples: [...samples],
    error: null,
  };
}
