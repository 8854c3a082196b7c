// Media descriptions shared by ingest (what arrives), transcode (what is encoded) and packager (what is published).

/** What the publisher sends, learned from the RTMP stream before any FFmpeg starts. */
export interface VideoSource {
  /** 'h264', 'hevc', ... as announced in the FLV stream. */
  codec: string;
  /** RFC 6381 codec string for a master playlist (e.g. 'avc1.64001f'), when the sequence header told it. */
  codecString: string | null;
  width: number;
  height: number;
  fps: number;
  /** Seconds between keyframes; null until two keyframes were seen. */
  keyframeIntervalS: number | null;
  /** Measured video bitrate in kbit/s; null until measured. */
  bitrateKbps: number | null;
}

export interface AudioSource {
  /** 'aac', 'mp3', ... as announced in the FLV stream. */
  codec: string;
  /** RFC 6381 codec string (e.g. 'mp4a.40.2') when known. */
  codecString: string | null;
  sampleRate: number;
  channels: number;
  bitrateKbps: number | null;
}

export interface SourceInfo {
  video: VideoSource | null;
  audio: AudioSource | null;
}

/** One rendition of the adaptive ladder. */
export interface Rung {
  /** URL path segment, e.g. '720p' or 'source'; matches /^[a-z0-9]+$/. */
  name: string;
  /** Video copied from the source instead of encoded. */
  passthrough: boolean;
  width: number;
  height: number;
  fps: number;
  /** Target video bitrate (kbit/s); for passthrough the measured source bitrate. */
  videoBitrateKbps: number;
  /** Audio of this rung, or null for a video-only source. */
  audio: { copy: boolean; bitrateKbps: number } | null;
  /** CODECS attribute for the master playlist, e.g. 'avc1.64001f,mp4a.40.2'. */
  codecs: string;
  /** Peak bits/s (BANDWIDTH). */
  bandwidth: number;
  /** Average bits/s (AVERAGE-BANDWIDTH). */
  averageBandwidth: number;
}

export interface Ladder {
  /** Name of the profile the ladder was planned from. */
  profile: string;
  segmentDurationS: number;
  /** Highest rung first. */
  rungs: Rung[];
}

/** About how many parts a second of media is cut into for low-latency playlists. */
const PARTS_PER_SECOND = 3;
/** A part's frames over a part target's (one frame more, see partTargetS) must stay at least 85%: six frames or more. */
const MIN_PART_FRAMES = 6;

/** The frame rate of the ladder's slowest rung (30 for a rung that has none, as audio only). */
function slowestFps(ladder: Ladder): number {
  return Math.min(...ladder.rungs.map((rung) => (rung.fps > 0 ? rung.fps : 30)));
}

/**
 * Duration of a part (LL-HLS partial segment) of `ladder`: whole frames of its slowest rung, about a third of a
 * second (ten frames at 30 fps, eight at 25); players hold back three part targets, 1.1 s at 30 fps. Whole frames,
 * because FFmpeg cuts a fragment at the first packet at or past its duration, audio or video: asked for a little
 * less than whole frames, it cuts after the same frame whichever track comes first (at 25 fps a third of a second is
 * 8.3 frames, and audio packets cut parts of 8 among those of 9). Shorter parts cost a blocking reload and a request
 * each: quarter-second parts (eight frames, 0.9 s held back) stalled hls.js 13 times in 10 s with 200 ms of jitter on
 * every response, a third of a second not once. A segment's last part may be shorter.
 */
export function partDurationS(ladder: Ladder): number {
  const fps = slowestFps(ladder);
  return partFrames(fps) / fps;
}

/** Frames of a part at `fps`, the slowest rung's rate. */
function partFrames(fps: number): number {
  return Math.max(MIN_PART_FRAMES, Math.round(fps / PARTS_PER_SECOND));
}

/**
 * The longest part FFmpeg writes for `ladder` (EXT-X-PART-INF's PART-TARGET): a part's frames plus one for a run's
 * first part (its video starts an audio frame late), in whole milliseconds. Not more: players take a part under 85%
 * of the target for a broken one.
 */
export function partTargetS(ladder: Ladder): number {
  const fps = slowestFps(ladder);
  return Math.ceil(((partFrames(fps) + 1) / fps) * 1000) / 1000;
}

/** Receives the FLV byte stream of a live publish (file header, sequence headers, then tags). */
export interface FlvSink {
  write(chunk: Buffer): void;
  /**
   * Told just before a video keyframe is written: its media time in seconds after the first keyframe handed to this
   * sink. Lets a consumer know where the source's GOPs end before the next one has been encoded.
   */
  keyframe?(mediaS: number): void;
}

export interface FlvAttachment {
  /**
   * Wall clock (ms since epoch) at which the publisher sent the first media tag handed to the sink: its timestamp
   * plus the smallest (arrival − timestamp) of the publish so far. Publishers send what they encoded during the
   * RTMP handshake in one burst, so the first tags arrive late for their timestamps; the estimate improves as paced
   * media arrives, and is best read when the first segment is published.
   */
  mediaStartWallClockMs(): number;
  detach(): void;
}

/**
 * A live publish as a byte source. Attaching replays the FLV header, metadata, sequence headers and the current
 * GOP (so a consumer always starts at a keyframe), then forwards live tags until detached or the publish ends.
 */
export interface FlvFeed {
  attach(sink: FlvSink): FlvAttachment;
  /**
   * Seconds between the publish's first two keyframes, once the second arrived; null if the media ran `maxMs` past
   * the first keyframe without it (or the publish ended first).
   */
  keyframeInterval(maxMs: number): Promise<number | null>;
  /** Total bytes received from the publisher so far (a watchdog compares it with the consumer's progress). */
  readonly receivedBytes: number;
}
