// The shapes of what one benchmark run measures: shared by the measuring code, the report and the JSON file.
import type { SsimSummary } from './ffmpeg-text.js';
import type { ResourceSample } from './resource-figures.js';
import type { WrkResult } from './wrk.js';

export type SystemName = 'shopcast' | 'nginx-a' | 'nginx-c' | 'nginx-c-copy' | 'shopcast-encoded';

/**
 * shopcast first, then the remux floor, then the ladder it is measured against; then the two pairs of equal work:
 * nginx-c with its top rung copied (shopcast copies its own), and shopcast fed keyframes that do not fit its
 * segments, so it encodes every rung as nginx-c does.
 */
export const SYSTEM_NAMES: readonly SystemName[] = ['shopcast', 'nginx-a', 'nginx-c', 'nginx-c-copy', 'shopcast-encoded'];

/** Systems run for their transcoder only (CPU, speed, SSIM): no HTTP load and no player. */
export const TRANSCODER_ONLY: ReadonlySet<SystemName> = new Set(['nginx-c-copy', 'shopcast-encoded']);

/** The publisher's keyframe interval for `shopcast-encoded`: 2.5 s does not fit 2 s segments. */
export const MISFIT_GOP_S = 2.5;

export type Mode = 'quick' | 'full';

export interface Settings {
  mode: Mode;
  rounds: number;
  /** Seconds of steady streaming over which delay and CPU are measured. */
  windowS: number;
  wrkDurationS: number;
  /** Player latency sampling, or null when skipped. */
  playerS: number | null;
  /** Consecutive segments of each rung compared with the source. */
  qualitySegments: number;
  /** Playlist poll interval. */
  pollMs: number;
}

export interface RungInfo {
  /** `<height>p`, or `source` for nginx-a's single remuxed playlist. */
  label: string;
  url: string;
  width: number | null;
  height: number | null;
  bandwidth: number;
}

export interface StartupResult {
  /** Seconds from T0 until the master playlist was served. */
  masterS: number | null;
  /** …and every rung's media playlist listed ≥ 1 segment. */
  firstSegmentS: number | null;
  /** …and every rung's media playlist listed ≥ 3 segments. */
  threeSegmentsS: number | null;
  /** …and a player page opened before the show presented its first frame (null without the player). */
  firstFrameS: number | null;
  perRung: Array<{ rung: string; firstSegmentS: number | null; threeSegmentsS: number | null }>;
}

export interface AnchorResult {
  rung: string;
  /** Continuous run (see segment-log.ts) and its first segment. */
  run: number;
  msn: number;
  /** Source frame the run's first segment starts at, null if it could not be found. */
  sourceFrame: number | null;
  agreeing: number | null;
  compared: number | null;
  medianCost: number | null;
  medianMargin: number | null;
  error: string | null;
}

export interface DelayResult {
  topRung: string;
  /**
   * Live-edge delay of each top-rung segment first seen in the window, from the publisher's media clock (see
   * SystemRun.publisherLagS; add it for the delay from T0).
   */
  samplesS: number[];
  perRung: Record<string, number[]>;
  /** Part delay of each top-rung LL-HLS part first seen in the window (none for a system without parts). */
  partSamplesS: number[];
  partsPerRung: Record<string, number[]>;
  /** Runs on the top rung: 1 unless there were discontinuities (or sequence gaps). */
  runs: number;
  anchors: AnchorResult[];
}

export interface ProcessFigures {
  cpuS: number;
  /** CPU seconds per media second (1.0 = one core per real-time stream). */
  cpuPerMediaS: number | null;
  rssMaxMiB: number | null;
  /** Distinct processes seen in the role during the window (> 1: it was restarted). */
  processes: number;
}

export interface TranscoderFigures extends ProcessFigures {
  /** Media seconds produced per wall second over the window (least-squares fit of FFmpeg's reported output time). */
  speed: number | null;
  mediaS: number | null;
}

export interface ResourceResult {
  windowS: number;
  /** Every /proc and progress sample of the run (the window is [windowFromMs, windowToMs]). */
  samples: ResourceSample[];
  windowFromMs: number;
  windowToMs: number;
  transcoder: TranscoderFigures | null;
  gateway: ProcessFigures | null;
  /** Transcoder speed from the end of startup to the end of the run (HTTP load and player included). */
  speedWholeRun: number | null;
}

export interface QualityResult {
  rung: string;
  height: number | null;
  ssim: SsimSummary | null;
  /** Source frame the clip starts at, and frames compared. */
  sourceFrame: number | null;
  frames: number;
  agreeing: number | null;
  compared: number | null;
  error: string | null;
}

export interface WrkTarget extends WrkResult {
  url: string;
}

export interface HttpResult {
  playlist: WrkTarget | null;
  segment: WrkTarget | null;
  errors: string[];
}

export interface PlayerSample {
  wallMs: number;
  /** Luma of the picture clock's squares in the frame on screen (picture-clock.ts), null before the first frame. */
  lumas: number[] | null;
  currentTime: number;
  /** hls.playingDate (from EXT-X-PROGRAM-DATE-TIME), null without PDT. */
  playingDateMs: number | null;
  /** The fragment at currentTime on the level playing, and where hls.js put its start. */
  fragUrl: string | null;
  fragStart: number | null;
  level: number;
  height: number | null;
  /** Why a latency is what it is: hls.js's target (PART-HOLD-BACK, raised after stalls), the buffer ahead of the
   * playhead, and the rate hls.js plays at to catch up. */
  targetLatencyS: number | null;
  bufferAheadS: number;
  playbackRate: number;
}

export interface PlayerResult {
  /** Wall clock − hls.playingDate; null for a system without PROGRAM-DATE-TIME. */
  pdtLatencyS: number[] | null;
  /** Wall clock − (publisher's media clock at the position playing), the method used for every system. */
  timelineLatencyS: number[];
  /** Glass to glass: wall clock − when the publisher sent the frame on screen, read from its picture clock. */
  pictureLatencyS: number[];
  timeToPlayingS: number | null;
  /** Seconds from opening the page while live until its first frame. */
  pageToFirstFrameS: number | null;
  samples: PlayerSample[];
  error: string | null;
}

export interface SystemRun {
  system: SystemName;
  round: number;
  /** Wall clock at which the publisher was spawned. */
  t0: string;
  /** Seconds from T0 until the publisher's media time 0 went out (null if it never reported progress). */
  publisherLagS: number | null;
  ladder: RungInfo[];
  startup: StartupResult;
  delay: DelayResult | null;
  resources: ResourceResult | null;
  quality: QualityResult[] | null;
  http: HttpResult | null;
  player: PlayerResult | null;
  /** The same, with dash.js on the DASH manifest (null for a system without one). */
  dashPlayer: PlayerResult | null;
  /** What went wrong in this run (a figure that could not be measured is null and says why here). */
  errors: string[];
}
