// One accepted publish as seen from inside: describes the source from its FLV tags, keeps what a late consumer needs
// to start at a keyframe, and forwards FLV to the transcoder.
import type { AudioSource, FlvAttachment, FlvFeed, FlvSink, SourceInfo, VideoSource } from '../media.js';
import { flvHeader, isFileHeader, parseAudioTag, parseTag, parseVideoHeader, type FlvTag } from './flv.js';
import { RateWindow } from './rate.js';

/** What the publisher's RTMP metadata (onMetaData) announced; 0 where it said nothing usable. */
export interface AnnouncedMetadata {
  width: number;
  height: number;
  fps: number;
  /** Video bitrate in kbit/s (OBS announces its encoder setting). */
  videoKbps: number;
}

export interface IngestStats {
  videoCodec: string | null;
  audioCodec: string | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  bitrateKbps: number | null;
  keyframeIntervalS: number | null;
  receivedBytes: number;
  /** Seconds since the last media tag arrived: a stuck uplink shows here first. */
  idleS: number;
}

/** Replay kept beyond this is dropped (a consumer then starts at the next keyframe). */
const MAX_GOP_BYTES = 64 * 1024 * 1024;
const RATE_WINDOW_MS = 5000;
/** Wall-clock bound on waiting for a second keyframe when the publish stops sending video. */
const STALLED_PUBLISH_MS = 10_000;

const NOTHING_ANNOUNCED: AnnouncedMetadata = { width: 0, height: 0, fps: 0, videoKbps: 0 };

export class PublishTap implements FlvFeed {
  #announced = NOTHING_ANNOUNCED;
  #receivedBytes = 0;
  #metadata: Buffer | null = null;
  #videoHeader: FlvTag | null = null;
  #audioHeader: FlvTag | null = null;
  #firstAudio: FlvTag | null = null;
  #gop: FlvTag[] = [];
  #gopBytes = 0;
  #lastKeyframeMs: number | null = null;
  #keyframeIntervalS: number | null = null;
  #keyframes = 0;
  #firstKeyframeMs: number | null = null;
  #lastVideoMs: number | null = null;
  #lastTagWallClockMs = Date.now();
  /** Smallest (arrival − timestamp) of any media tag: the publisher's media clock on the wall clock, minus lag. */
  #clockOffsetMs: number | null = null;
  readonly #bitrate = new RateWindow(RATE_WINDOW_MS);
  readonly #frameRate = new RateWindow(RATE_WINDOW_MS);
  /** Each consumer, with the timestamp of the first keyframe it was handed (its media time 0). */
  readonly #sinks = new Map<FlvSink, number | null>();
  readonly #keyframeWaiters = new Set<(closing: boolean) => void>();
  #attachedOnce = false;
  /** Where the newest keyframe sits in the replay buffer. */
  #currentGopIndex = 0;

  get receivedBytes(): number {
    return this.#receivedBytes;
  }

  /** Milliseconds since the last media tag arrived. */
  get idleMs(): number {
    return Date.now() - this.#lastTagWallClockMs;
  }

  /** The publisher's onMetaData: a fallback for what the media itself does not tell. */
  announce(metadata: AnnouncedMetadata): void {
    this.#announced = metadata;
  }

  /** One whole FLV tag of the publish. */
  push(chunk: Buffer): void {
    if (isFileHeader(chunk)) return; // we write our own, with the real audio/video flags
    const tag = parseTag(chunk);
    if (!tag) return;
    this.#receivedBytes += chunk.length;
    this.#lastTagWallClockMs = Date.now();
    this.#remember(tag);
    for (const sink of this.#sinks.keys()) this.#hand(sink, tag);
  }

  #hand(sink: FlvSink, tag: FlvTag): void {
    if (tag.kind === 'keyframe') {
      const originMs = this.#sinks.get(sink) ?? tag.timestampMs;
      this.#sinks.set(sink, originMs);
      sink.keyframe?.((tag.timestampMs - originMs) / 1000);
    }
    sink.write(tag.bytes);
  }

  #remember(tag: FlvTag): void {
    switch (tag.kind) {
      case 'metadata':
        this.#metadata = tag.bytes;
        return;
      case 'video-header':
        this.#videoHeader = tag;
        return;
      case 'audio-header':
        this.#audioHeader = tag;
        return;
      case 'keyframe':
        this.#onKeyframe(tag);
        break;
      case 'audio':
        this.#firstAudio ??= tag;
        break;
      default:
        break;
    }
    const offsetMs = this.#lastTagWallClockMs - tag.timestampMs;
    if (this.#clockOffsetMs === null || offsetMs < this.#clockOffsetMs) this.#clockOffsetMs = offsetMs;
    this.#bitrate.add(tag.timestampMs, tag.bytes.length * 8);
    if (tag.kind === 'keyframe' || tag.kind === 'video') {
      this.#frameRate.add(tag.timestampMs, 1);
      this.#firstKeyframeMs ??= tag.kind === 'keyframe' ? tag.timestampMs : null;
      this.#lastVideoMs = tag.timestampMs;
      for (const waiter of [...this.#keyframeWaiters]) waiter(false);
    }
    if (tag.kind !== 'keyframe' && this.#gop.length > 0 && this.#gopBytes + tag.bytes.length <= MAX_GOP_BYTES) {
      this.#gop.push(tag);
      this.#gopBytes += tag.bytes.length;
    }
  }

  #onKeyframe(tag: FlvTag): void {
    if (this.#lastKeyframeMs !== null && tag.timestampMs > this.#lastKeyframeMs) {
      this.#keyframeIntervalS = (tag.timestampMs - this.#lastKeyframeMs) / 1000;
    }
    this.#lastKeyframeMs = tag.timestampMs;
    this.#keyframes += 1;
    if (this.#attachedOnce || this.#gop.length === 0 || this.#gopBytes + tag.bytes.length > MAX_GOP_BYTES) {
      this.#gop = [tag];
      this.#gopBytes = tag.bytes.length;
    } else {
      // Until the first consumer attaches, keep everything since the first keyframe: the transcoder then starts with
      // the media that arrived while the source was probed, and the first segment is ready that much sooner.
      this.#gop.push(tag);
      this.#gopBytes += tag.bytes.length;
    }
    this.#currentGopIndex = this.#gop.length - 1;
  }

  /** Resolves with the source description at the first video keyframe; rejects if none came within `giveUpMs`. */
  async probe(giveUpMs: number): Promise<SourceInfo> {
    if (!(await this.#whenKeyframes(1, giveUpMs))) {
      throw new Error(`no video keyframe within ${Math.round(giveUpMs / 1000)} s (audio-only and non-FLV video are not supported)`);
    }
    return this.describe();
  }

  /**
   * The interval between the first two keyframes, or null once the media ran `maxMs` past the first keyframe without
   * a second one. Counted in media time, not wall time, so a publisher that starts slowly is not judged by its lag;
   * the wall clock only bounds a stalled publish (and a closed one answers null at once).
   */
  async keyframeInterval(maxMs: number): Promise<number | null> {
    const mediaPassed = (): boolean =>
      this.#firstKeyframeMs !== null && this.#lastVideoMs !== null && this.#lastVideoMs - this.#firstKeyframeMs > maxMs;
    const found = await this.#whenKeyframes(2, STALLED_PUBLISH_MS + maxMs, mediaPassed);
    return found ? this.#keyframeIntervalS : null;
  }

  /** True once `count` keyframes arrived; false after `timeoutMs`, when `givenUp()` says so, or when the publish closes. */
  #whenKeyframes(count: number, timeoutMs: number, givenUp: () => boolean = () => false): Promise<boolean> {
    if (this.#keyframes >= count) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = (closing: boolean): void => {
        if (closing || this.#keyframes >= count || givenUp()) done(!closing && this.#keyframes >= count);
      };
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.#keyframeWaiters.delete(waiter);
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.#keyframeWaiters.add(waiter);
    });
  }

  describe(): SourceInfo {
    return { video: this.#describeVideo(), audio: this.#describeAudio() };
  }

  #describeVideo(): VideoSource | null {
    if (!this.#videoHeader && this.#keyframes === 0) return null;
    const header = this.#videoHeader ? parseVideoHeader(this.#videoHeader) : null;
    const announced = this.#announced;
    const bitsPerSecond = this.#bitrate.perSecond();
    return {
      codec: header?.codec ?? 'unknown',
      codecString: header?.codecString ?? null,
      width: header?.width ?? announced.width,
      height: header?.height ?? announced.height,
      fps: roundFps(this.#frameRate.perSecond() ?? announced.fps) || 30,
      keyframeIntervalS: this.#keyframeIntervalS,
      bitrateKbps: Math.round(bitsPerSecond === null ? announced.videoKbps : bitsPerSecond / 1000) || null,
    };
  }

  #describeAudio(): AudioSource | null {
    const tag = this.#audioHeader ?? this.#firstAudio;
    if (!tag) return null;
    const audio = parseAudioTag(tag);
    return { ...audio, bitrateKbps: null };
  }

  stats(): IngestStats {
    const source = this.describe();
    return {
      videoCodec: source.video?.codec ?? null,
      audioCodec: source.audio?.codec ?? null,
      width: source.video?.width ?? null,
      height: source.video?.height ?? null,
      fps: source.video?.fps ?? null,
      bitrateKbps: source.video?.bitrateKbps ?? null,
      keyframeIntervalS: this.#keyframeIntervalS,
      receivedBytes: this.#receivedBytes,
      idleS: Math.round((Date.now() - this.#lastTagWallClockMs) / 100) / 10,
    };
  }

  attach(sink: FlvSink): FlvAttachment {
    const hasAudio = this.#audioHeader !== null || this.#firstAudio !== null;
    sink.write(flvHeader(hasAudio, true));
    for (const header of [this.#metadata, this.#videoHeader?.bytes, this.#audioHeader?.bytes]) {
      if (header) sink.write(header);
    }
    this.#sinks.set(sink, null);
    for (const tag of this.#gop) this.#hand(sink, tag);
    const first = this.#gop[0];
    const attachedAtMs = Date.now();
    if (!this.#attachedOnce) {
      this.#attachedOnce = true;
      this.#gop = this.#gop.slice(this.#currentGopIndex);
      this.#gopBytes = this.#gop.reduce((sum, tag) => sum + tag.bytes.length, 0);
    }
    return {
      mediaStartWallClockMs: () =>
        first === undefined || this.#clockOffsetMs === null ? attachedAtMs : first.timestampMs + this.#clockOffsetMs,
      detach: () => {
        this.#sinks.delete(sink);
      },
    };
  }

  /** The publish is over: consumers are let go (they see the end of their input). */
  close(): void {
    this.#sinks.clear();
    for (const waiter of [...this.#keyframeWaiters]) waiter(true);
  }
}

/** 29.97 stays 29.97, 30.02 from jittery timestamps becomes 30. */
function roundFps(fps: number): number {
  const nearest = Math.round(fps);
  return Math.abs(fps - nearest) < 0.1 ? nearest : Math.round(fps * 100) / 100;
}
