// Decides which renditions a live stream gets, from the profile and what the publisher really sends.
import type { AudioSource, Ladder, Rung, SourceInfo, VideoSource } from '../media.js';
import { avcHighCodecString, h264HighLevel, type H264Level } from './h264.js';
import type { Profile, ProfileRung } from './profile.js';

export class LadderError extends Error {}

export interface PlanLadderOptions {
  profile: Profile;
  source: SourceInfo;
  /** The ladder of the publisher's previous run inside the reconnect window: its rung names and sizes are kept. */
  previous?: Ladder;
}

/** Name of the rung that copies the publisher's video. */
export const PASSTHROUGH_RUNG = 'source';

/** A keyframe interval fits when whole GOPs make up a segment within this share of its duration. */
const KEYFRAME_FIT_TOLERANCE = 0.02;
/** Media beyond one segment (plus the fit tolerance) to wait for a second keyframe before deciding it does not fit. */
const KEYFRAME_WAIT_SLACK_MS = 500;
/** BANDWIDTH over the peak media rate, as FFmpeg's own master playlists add: fMP4 overhead and rate overshoot. */
const PEAK_HEADROOM = 1.1;
/** AVERAGE-BANDWIDTH over the target media rate: fMP4 boxes (moof, trun) per segment. */
const CONTAINER_OVERHEAD = 1.03;
/** The publisher's rate control is unknown: its peaks are assumed this far above its measured average. */
const PASSTHROUGH_PEAK_RATIO = 1.25;
/** Bits per pixel assumed for a passthrough rung whose bitrate was not measured yet (OBS-like H.264). */
const FALLBACK_BITS_PER_PIXEL = 0.1;
const FALLBACK_AVC_CODEC = 'avc1.64001f';
const AAC_LC_CODEC = 'mp4a.40.2';

export interface KeyframeFitOptions {
  keyframeIntervalS: number | null;
  segmentDurationS: number;
}

/** True when a whole number of source GOPs makes up one segment, so a copied rung cuts where encoded rungs cut. */
export function keyframesFit({ keyframeIntervalS, segmentDurationS }: KeyframeFitOptions): boolean {
  if (keyframeIntervalS === null || keyframeIntervalS <= 0) return false;
  const gops = Math.round(segmentDurationS / keyframeIntervalS);
  const error = Math.abs(gops * keyframeIntervalS - segmentDurationS);
  return gops >= 1 && error <= KEYFRAME_FIT_TOLERANCE * segmentDurationS;
}

/**
 * How long to wait for the source's keyframe interval before planning, or 0 when it cannot change the plan (the
 * profile or source rules passthrough out, or the interval is known). A GOP longer than a segment cannot fit, so
 * there is no point waiting longer than about one segment.
 */
export function keyframeIntervalWaitMs({ profile, source, previous }: PlanLadderOptions): number {
  const video = source.video;
  const undecided =
    profile.passthrough &&
    video?.codec === 'h264' &&
    video.keyframeIntervalS === null &&
    (!previous || previous.rungs.some((rung) => rung.passthrough));
  if (!undecided) return 0;
  return Math.ceil(profile.segmentDurationS * 1000 * (1 + KEYFRAME_FIT_TOLERANCE)) + KEYFRAME_WAIT_SLACK_MS;
}

/** Plans the ladder: never upscales, keeps the aspect ratio, caps frame rates; highest rung first. */
export function planLadder({ profile, source, previous }: PlanLadderOptions): Ladder {
  const video = source.video;
  if (!video) throw new LadderError('the source has no video: audio-only publishing is not supported');
  if (video.width <= 0 || video.height <= 0) {
    throw new LadderError(`the source picture size is unknown (${video.width}x${video.height})`);
  }
  const audio = planAudio(profile, source.audio);
  const rungs = previous ? replan({ profile, video, audio, previous }) : plan({ profile, video, audio });
  return { profile: profile.name, segmentDurationS: profile.segmentDurationS, rungs: rungs.sort(highestFirst) };
}

interface AudioPlan {
  rung: NonNullable<Rung['audio']>;
  codec: string;
}

interface RungContext {
  profile: Profile;
  video: VideoSource;
  audio: AudioPlan | null;
}

function plan({ profile, video, audio }: RungContext): Rung[] {
  const shortSide = Math.min(video.width, video.height);
  const encoded = profile.rungs.filter((rung) => rung.shortSide < shortSide);
  const dropped = profile.rungs.filter((rung) => rung.shortSide >= shortSide);
  const rungs = encoded.map((rung) => {
    const { name, videoBitrateKbps } = rung;
    const size = fitShortSide(video, rung.shortSide);
    return encodedRung({ profile, audio: rungAudio(audio, rung) }, { name, ...size, fps: cappedFps(video, rung), videoBitrateKbps });
  });
  if (canPassThrough(profile, video)) return [passthroughRung(video, audio), ...rungs];
  // Without passthrough the source's own size would be lost: encode it, named after the rung it stands in for.
  const standIn = dropped[dropped.length - 1];
  if (standIn) rungs.push(sourceSizeRung({ profile, video, audio }, standIn));
  return rungs;
}

/** Reconnect: same names and sizes as before (public URLs and the master playlist stay valid). */
function replan({ profile, video, audio, previous }: RungContext & { previous: Ladder }): Rung[] {
  return previous.rungs.map((rung) => {
    const sameSize = rung.width === video.width && rung.height === video.height;
    if (rung.passthrough && sameSize && canPassThrough(profile, video)) return passthroughRung(video, audio);
    const fps = rung.passthrough ? Math.min(rung.fps, maxProfileFps(profile)) : rung.fps;
    const { name, width, height, videoBitrateKbps } = rung;
    const planned = profile.rungs.find((candidate) => candidate.name === name);
    return encodedRung({ profile, audio: rungAudio(audio, planned) }, { name, width, height, fps, videoBitrateKbps });
  });
}

/** The audio of a rung: the stream's, unless the profile rung asks for less (encoded at that rate then). */
function rungAudio(audio: AudioPlan | null, rung: ProfileRung | undefined): AudioPlan | null {
  const capKbps = rung?.audioBitrateKbps;
  if (audio === null || capKbps === undefined || capKbps >= audio.rung.bitrateKbps) return audio;
  return { rung: { copy: false, bitrateKbps: capKbps }, codec: AAC_LC_CODEC };
}

function canPassThrough(profile: Profile, video: VideoSource): boolean {
  return (
    profile.passthrough &&
    video.codec === 'h264' &&
    keyframesFit({ keyframeIntervalS: video.keyframeIntervalS, segmentDurationS: profile.segmentDurationS })
  );
}

function planAudio(profile: Profile, audio: AudioSource | null): AudioPlan | null {
  if (!audio) return null;
  if (audio.codec === 'aac') {
    const bitrateKbps = audio.bitrateKbps ?? profile.audio.bitrateKbps;
    return { rung: { copy: true, bitrateKbps }, codec: audio.codecString ?? AAC_LC_CODEC };
  }
  return { rung: { copy: false, bitrateKbps: profile.audio.bitrateKbps }, codec: AAC_LC_CODEC };
}

export interface EncodedRungSpec {
  name: string;
  width: number;
  height: number;
  fps: number;
  videoBitrateKbps: number;
}

export interface VideoEncoding {
  maxrateKbps: number;
  bufsizeKbps: number;
  level: H264Level;
}

/** Rate control and level of an encoded rung; the command builder encodes exactly what the ladder advertises. */
export function videoEncoding(profile: Profile, rung: EncodedRungSpec): VideoEncoding {
  const maxrateKbps = Math.round(rung.videoBitrateKbps * profile.video.maxrateRatio);
  return {
    maxrateKbps,
    bufsizeKbps: Math.round(maxrateKbps * profile.video.bufferS),
    level: h264HighLevel({ width: rung.width, height: rung.height, fps: rung.fps, maxrateKbps }),
  };
}

function encodedRung({ profile, audio }: Pick<RungContext, 'profile' | 'audio'>, spec: EncodedRungSpec): Rung {
  const { maxrateKbps, level } = videoEncoding(profile, spec);
  return {
    ...spec,
    passthrough: false,
    audio: audio?.rung ?? null,
    codecs: codecsOf(avcHighCodecString(level), audio),
    ...bandwidths({ averageVideoKbps: spec.videoBitrateKbps, peakVideoKbps: maxrateKbps, audio }),
  };
}

function passthroughRung(video: VideoSource, audio: AudioPlan | null): Rung {
  const estimatedKbps = Math.round((video.width * video.height * video.fps * FALLBACK_BITS_PER_PIXEL) / 1000);
  const videoBitrateKbps = video.bitrateKbps ?? estimatedKbps;
  return {
    name: PASSTHROUGH_RUNG,
    passthrough: true,
    width: video.width,
    height: video.height,
    fps: video.fps,
    videoBitrateKbps,
    audio: audio?.rung ?? null,
    codecs: codecsOf(video.codecString ?? FALLBACK_AVC_CODEC, audio),
    ...bandwidths({
      averageVideoKbps: videoBitrateKbps,
      peakVideoKbps: videoBitrateKbps * PASSTHROUGH_PEAK_RATIO,
      audio,
    }),
  };
}

/** An encoded rung at the source's own size, standing in for a profile rung the source is too small for. */
function sourceSizeRung(context: Pick<RungContext, 'profile' | 'audio' | 'video'>, standIn: ProfileRung): Rung {
  const { video } = context;
  const width = even(video.width, Math.floor);
  const height = even(video.height, Math.floor);
  // Profile bitrates are sized for 16:9 at the rung's short side; fewer pixels need fewer bits, never more.
  const rungPixels = standIn.shortSide * Math.round((standIn.shortSide * 16) / 9);
  const videoBitrateKbps = Math.round(standIn.videoBitrateKbps * Math.min(1, (width * height) / rungPixels));
  const audio = rungAudio(context.audio, standIn);
  return encodedRung({ ...context, audio }, { name: standIn.name, width, height, fps: cappedFps(video, standIn), videoBitrateKbps });
}

function codecsOf(videoCodec: string, audio: AudioPlan | null): string {
  return audio ? `${videoCodec},${audio.codec}` : videoCodec;
}

interface MediaRates {
  averageVideoKbps: number;
  peakVideoKbps: number;
  audio: AudioPlan | null;
}

type Bandwidths = Pick<Rung, 'bandwidth' | 'averageBandwidth'>;

function bandwidths({ averageVideoKbps, peakVideoKbps, audio }: MediaRates): Bandwidths {
  const audioKbps = audio?.rung.bitrateKbps ?? 0;
  return {
    bandwidth: Math.round((peakVideoKbps + audioKbps) * 1000 * PEAK_HEADROOM),
    averageBandwidth: Math.round((averageVideoKbps + audioKbps) * 1000 * CONTAINER_OVERHEAD),
  };
}

interface Size {
  width: number;
  height: number;
}

/** Picture size with `shortSide` as its short side and the source's aspect ratio, rounded to even numbers. */
function fitShortSide(video: Size, shortSide: number): Size {
  const aspect = Math.max(video.width, video.height) / Math.min(video.width, video.height);
  const longSide = even(shortSide * aspect, Math.round);
  return video.width >= video.height ? { width: longSide, height: shortSide } : { width: shortSide, height: longSide };
}

function cappedFps(video: VideoSource, rung: ProfileRung): number {
  return video.fps > 0 ? Math.min(video.fps, rung.maxFps) : rung.maxFps;
}

function maxProfileFps(profile: Profile): number {
  return Math.max(...profile.rungs.map((rung) => rung.maxFps));
}

function even(value: number, round: (n: number) => number): number {
  return Math.max(2, 2 * round(value / 2));
}

function highestFirst(a: Rung, b: Rung): number {
  const byPixels = b.width * b.height - a.width * a.height;
  return byPixels || Number(b.passthrough) - Number(a.passthrough) || b.videoBitrateKbps - a.videoBitrateKbps;
}
