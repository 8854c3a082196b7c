// Shared test material for transcode: profiles, sources and a feed that replays an FLV file like ingest would.
import { readFileSync } from 'node:fs';
import type { AudioSource, FlvAttachment, FlvFeed, FlvSink, SourceInfo, VideoSource } from '../../../src/media.js';
import { parseProfile, type Profile } from '../../../src/transcode/profile.js';

const DEFAULT_PROFILE_FILE = new URL('../../../profiles/default.json', import.meta.url);
export const DEFAULT_PROFILE_JSON = JSON.parse(readFileSync(DEFAULT_PROFILE_FILE, 'utf8')) as Record<string, unknown>;

export function defaultProfile(overrides: Record<string, unknown> = {}): Profile {
  return parseProfile({ name: 'default', file: 'default.json', json: { ...DEFAULT_PROFILE_JSON, ...overrides } });
}

export function video(overrides: Partial<VideoSource> = {}): VideoSource {
  return {
    ...{ codec: 'h264', codecString: 'avc1.64001f', width: 1280, height: 720, fps: 30 },
    ...{ keyframeIntervalS: 2, bitrateKbps: 4000 },
    ...overrides,
  };
}

export const AAC: AudioSource = {
  codec: 'aac',
  codecString: 'mp4a.40.2',
  sampleRate: 48000,
  channels: 2,
  bitrateKbps: 160,
};

export function source(videoOverrides: Partial<VideoSource> = {}, audio: AudioSource | null = AAC): SourceInfo {
  return { video: video(videoOverrides), audio };
}

/** Replays a whole FLV file to each consumer in chunks, the way ingest replays header, sequence headers and GOP. */
export class FileFeed implements FlvFeed {
  receivedBytes = 0;
  attachments = 0;

  /** Keyframe interval the feed reports once asked (as ingest measures it at the second keyframe). */
  keyframeIntervalS: number | null = null;
  keyframeIntervalAsked = 0;

  constructor(private readonly data: Buffer, private readonly chunkBytes = 64 * 1024) {}

  keyframeInterval(): Promise<number | null> {
    this.keyframeIntervalAsked += 1;
    return Promise.resolve(this.keyframeIntervalS);
  }

  attach(sink: FlvSink): FlvAttachment {
    this.attachments += 1;
    let attached = true;
    const write = (offset: number): void => {
      if (!attached || offset >= this.data.length) return;
      const chunk = this.data.subarray(offset, offset + this.chunkBytes);
      sink.write(chunk);
      this.receivedBytes += chunk.length;
      setImmediate(() => write(offset + chunk.length));
    };
    setImmediate(() => write(0));
    return {
      mediaStartWallClockMs: () => Date.now(),
      detach: () => {
        attached = false;
      },
    };
  }
}
