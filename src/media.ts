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

/** Parts a second of media is cut into for low-latency playlists. */
const PARTS_PER_SECOND = 3;

/**
 * Duration of a part (LL-HLS partial segment) of segments of `segmentDurationS`: a whole fraction of the segment, about
 * a third of a second (ten frames at 30 fps). Players hold back three parts, about a second; shorter parts would cost a
 * moof and a playlist request each for little less latency.
 */
export function partDurationS(segmentDurationS: number): number {
  return segmentDurationS / Math.max(1, Math.round(segmentDurationS * PARTS_PER_SECOND));
}

/**
 * The longest part FFmpeg writes for `ladder` (EXT-X-PART-INF's PART-TARGET): a part is the whole frames of the slowest
 * rung that reach the part duration, plus one frame for a run's first part (its video starts an audio frame late) and
 * millisecond timestamps. Not more: players take a part under 85% of the target for a broken one.
 */
export function partTargetS(ladder: Ladder): number {
  const slowestFps = Math.min(...ladder.rungs.map((rung) => (rung.fps > 0 ? rung.fps : 30)));
  const frames = Math.ceil(partDurationS(ladder.segmentDurationS) * slowestFps - 1e-6) + 1;
  return Math.ceil((frames / slowestFps) * 1000) / 1000;
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
