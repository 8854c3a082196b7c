// Reads just enough of FLV tags (as node-media-server hands them out) to describe and forward a publish.
import { parseH264Sps } from 'node-media-server/src/protocol/sps_info.js';

export const TAG_AUDIO = 8;
export const TAG_VIDEO = 9;
export const TAG_SCRIPT = 18;

export type TagKind = 'metadata' | 'video-header' | 'audio-header' | 'keyframe' | 'video' | 'audio' | 'other';

export interface FlvTag {
  kind: TagKind;
  type: number;
  /** Decode timestamp in ms. */
  timestampMs: number;
  /** Whole tag including its 11-byte header and trailing previous-tag-size. */
  bytes: Buffer;
}

const AUDIO_FORMATS: Record<number, string> = { 2: 'mp3', 10: 'aac', 11: 'speex', 13: 'opus' };
const VIDEO_CODECS: Record<number, string> = { 7: 'h264', 12: 'hevc' };
const FOURCC_CODECS: Record<string, string> = { avc1: 'h264', hvc1: 'hevc', av01: 'av1', vp09: 'vp9' };
const AAC_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** FLV file header with the audio/video flags set as the publish really is (FFmpeg waits for announced streams). */
export function flvHeader(hasAudio: boolean, hasVideo: boolean): Buffer {
  const header = Buffer.from([0x46, 0x4c, 0x56, 0x01, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00]);
  header[4] = (hasAudio ? 4 : 0) | (hasVideo ? 1 : 0);
  return header;
}

export function isFileHeader(chunk: Buffer): boolean {
  return chunk.length >= 3 && chunk[0] === 0x46 && chunk[1] === 0x4c && chunk[2] === 0x56;
}

export function parseTag(bytes: Buffer): FlvTag | null {
  if (bytes.length < 12) return null;
  const type = bytes[0]! & 0x1f;
  const timestampMs = ((bytes[7]! << 24) | (bytes[4]! << 16) | (bytes[5]! << 8) | bytes[6]!) >>> 0;
  return { kind: kindOf(type, bytes), type, timestampMs, bytes };
}

function kindOf(type: number, bytes: Buffer): TagKind {
  const head = bytes[11]!;
  if (type === TAG_SCRIPT) return 'metadata';
  if (type === TAG_AUDIO) {
    const isAacConfig = head >> 4 === 10 && bytes[12] === 0;
    return isAacConfig ? 'audio-header' : 'audio';
  }
  if (type !== TAG_VIDEO) return 'other';
  if (head & 0x80) {
    // Enhanced RTMP: frame type in bits 4-6, packet type in the low nibble (0 = sequence start).
    if ((head & 0x0f) === 0) return 'video-header';
    return ((head >> 4) & 0x07) === 1 ? 'keyframe' : 'video';
  }
  if (bytes[12] === 0) return 'video-header';
  return head >> 4 === 1 ? 'keyframe' : 'video';
}

export interface VideoHeaderInfo {
  codec: string;
  codecString: string | null;
  width: number | null;
  height: number | null;
}

/** Codec, RFC 6381 string and picture size from a video sequence header tag. */
export function parseVideoHeader(tag: FlvTag): VideoHeaderInfo {
  const data = tag.bytes.subarray(11, tag.bytes.length - 4);
  const head = data[0]!;
  if (head & 0x80) {
    const fourcc = data.subarray(1, 5).toString('latin1');
    return { codec: FOURCC_CODECS[fourcc] ?? fourcc, codecString: null, width: null, height: null };
  }
  const codec = VIDEO_CODECS[head & 0x0f] ?? `flv-video-${head & 0x0f}`;
  if (codec !== 'h264' || data.length < 16) return { codec, codecString: null, width: null, height: null };
  // AVCDecoderConfigurationRecord starts after the 5-byte AVC packet header.
  const record = data.subarray(5);
  const hex = (n: number): string => n.toString(16).padStart(2, '0');
  const codecString = `avc1.${hex(record[1]!)}${hex(record[2]!)}${hex(record[3]!)}`;
  const spsLength = record.readUInt16BE(6);
  const size = readSps(record.subarray(8, 8 + spsLength));
  return { codec, codecString, width: size?.width ?? null, height: size?.height ?? null };
}

/** The library's SPS reader trusts its input; a broken SPS only means the size comes from elsewhere. */
function readSps(sps: Buffer): { width: number; height: number } | null {
  try {
    return parseH264Sps(sps);
  } catch {
    return null;
  }
}

export interface AudioHeaderInfo {
  codec: string;
  codecString: string | null;
  sampleRate: number;
  channels: number;
}

/** Codec, sample rate and channels from an audio tag (the AAC sequence header carries the exact values). */
export function parseAudioTag(tag: FlvTag): AudioHeaderInfo {
  const data = tag.bytes.subarray(11, tag.bytes.length - 4);
  const head = data[0]!;
  const codec = AUDIO_FORMATS[head >> 4] ?? `flv-audio-${head >> 4}`;
  const fallback = { codec, codecString: null, sampleRate: [5500, 11025, 22050, 44100][(head >> 2) & 3]!, channels: (head & 1) + 1 };
  if (codec !== 'aac' || data[1] !== 0 || data.length < 4) return fallback;
  const objectType = data[2]! >> 3;
  const rateIndex = ((data[2]! & 0x07) << 1) | (data[3]! >> 7);
  const channels = (data[3]! >> 3) & 0x0f;
  return {
    codec,
    codecString: `mp4a.40.${objectType}`,
    sampleRate: AAC_RATES[rateIndex] ?? fallback.sampleRate,
    channels: channels || fallback.channels,
  };
}
