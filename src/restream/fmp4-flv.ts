// Remuxes a rung's fMP4 (one FFmpeg run's init, then its fragments) into FLV tags, so a restream can push an encoded
// rung instead of the source; pure: the caller keeps the timeline (see RungFeed).
import { TAG_AUDIO, TAG_SCRIPT, TAG_VIDEO } from '../ingest/flv.js';
import { childBoxes, Mp4FormatError } from '../packager/fmp4/boxes.js';
import { fragmentSamples } from '../packager/fmp4/fragment.js';
import { parseInit, type InitInfo, type TrackInfo } from '../packager/fmp4/init.js';
import { encodeAmf0 } from './amf0.js';

/** Media FLV here cannot carry (only H.264 and AAC, what the ladder encodes), or a sample it has no room for. */
export class FlvConversionError extends Error {
  override readonly name = 'FlvConversionError';
}

export interface FlvVideoTrack {
  readonly trackId: number;
  readonly timescale: number;
  /** The AVCDecoderConfigurationRecord, FLV's AVC sequence header. */
  readonly avcConfig: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export interface FlvAudioTrack {
  readonly trackId: number;
  readonly timescale: number;
  /** FLV's AAC sequence header. */
  readonly audioSpecificConfig: Uint8Array;
  readonly sampleRate: number;
}

/** A run's init as FLV needs it: at most one H.264 and one AAC track, at least one of them. */
export interface FlvInit {
  readonly info: InitInfo;
  readonly video?: FlvVideoTrack;
  readonly audio?: FlvAudioTrack;
}

/** One sample as FLV carries it, in the run's own milliseconds. */
export interface FlvSample {
  readonly type: typeof TAG_VIDEO | typeof TAG_AUDIO;
  readonly decodeMs: number;
  /** Where the sample ends (decode time plus duration). */
  readonly endMs: number;
  /** Presentation minus decode time (video). */
  readonly compositionMs: number;
  readonly keyframe: boolean;
  /** As stored in mdat: length-prefixed NAL units, or one raw AAC frame. */
  readonly data: Uint8Array;
}

/** Where a keyframe tag starts in a fragment's FLV bytes. */
export interface FlvKeyframe {
  readonly at: number;
  readonly timestampMs: number;
}

/** A fragment as FLV: its tags back to back, each with its PreviousTagSize. */
export interface FlvFragment {
  readonly bytes: Buffer;
  readonly keyframes: readonly FlvKeyframe[];
  /** Timestamps of the first tag and the last; without samples, the timeline's notBeforeMs. */
  readonly firstMs: number;
  readonly lastMs: number;
  /** Where its media ends: the latest sample end (at least notBeforeMs). */
  readonly endMs: number;
}

export interface FlvTimeline {
  /** Added to every sample's time: puts the run on the feed's timeline. */
  shiftMs: number;
  /** No tag is stamped earlier (the previous fragment's last), so timestamps never go back across tracks. */
  notBeforeMs: number;
}

const TAG_HEADER_BYTES = 11;
const PREVIOUS_TAG_SIZE_BYTES = 4;
const MAX_TAG_BODY_BYTES = 0xffffff;
/** FLV codec ids (FLV spec E.4.2.1, E.4.3.1). */
const AVC_CODEC_ID = 7;
const AAC_SOUND_FORMAT = 10;
const SEQUENCE_HEADER = 0;
const MEDIA_PACKET = 1;
/** AAC with the rate/size/type bits FLV says AAC always has (44 kHz, 16-bit, stereo: the AudioSpecificConfig rules). */
const AAC_AUDIO = (AAC_SOUND_FORMAT << 4) | 0x0f;
const AAC_HEADER_HEAD = Uint8Array.of(AAC_AUDIO, SEQUENCE_HEADER);
const AAC_FRAME_HEAD = Uint8Array.of(AAC_AUDIO, MEDIA_PACKET);
const KEY_FRAME = 0x10;
const INTER_FRAME = 0x20;
/** MPEG-4 audio object types of AAC (ISO 14496-3 1.5.1.1): Main, LC, SSR, LTP, SBR (HE-AAC), PS (HE-AAC v2). */
const AAC_CODECS = new Set(['mp4a.40.1', 'mp4a.40.2', 'mp4a.40.3', 'mp4a.40.4', 'mp4a.40.5', 'mp4a.40.29']);
/** SI24 composition time. */
const MAX_COMPOSITION_MS = 0x7fffff;

/** The tracks of init segment `bytes`; throws Mp4FormatError if it is none, FlvConversionError for other codecs. */
export function flvInit(bytes: Uint8Array): FlvInit {
  const info = parseInit(bytes);
  let video: FlvVideoTrack | undefined;
  let audio: FlvAudioTrack | undefined;
  for (const track of info.tracks) {
    if (track.handler === 'vide') {
      if (video !== undefined) throw new FlvConversionError(`two video tracks (${video.trackId}, ${track.trackId})`);
      video = videoTrack(track);
    } else if (track.handler === 'soun') {
      if (audio !== undefined) throw new FlvConversionError(`two audio tracks (${audio.trackId}, ${track.trackId})`);
      audio = audioTrack(track);
    }
  }
  if (video === undefined && audio === undefined) throw new FlvConversionError('init has no video or audio track');
  return { info, video, audio };
}

function videoTrack({ trackId, codec, timescale, decoderConfig, width = 0, height = 0 }: TrackInfo): FlvVideoTrack {
  if ((codec !== 'avc1' && codec !== 'avc3') || decoderConfig === undefined) {
    throw new FlvConversionError(`video track ${trackId} is '${codec}': FLV restreams take H.264 only`);
  }
  return { trackId, timescale, avcConfig: decoderConfig, width, height };
}

function audioTrack({ trackId, codec, codecs, timescale, decoderConfig, sampleRate = 0 }: TrackInfo): FlvAudioTrack {
  if (codecs === undefined || !AAC_CODECS.has(codecs) || decoderConfig === undefined) {
    throw new FlvConversionError(`audio track ${trackId} is '${codecs ?? codec}': FLV restreams take AAC only`);
  }
  return { trackId, timescale, audioSpecificConfig: decoderConfig, sampleRate };
}

/**
 * onMetaData and the sequence headers of `init`, all at `timestampMs`: what a consumer needs before any media tag.
 * No channel count: FFmpeg's sample entry says 2 whatever the AudioSpecificConfig (which decoders follow) says.
 */
export function headerTags(init: FlvInit, timestampMs: number): Buffer {
  const { video, audio } = init;
  const metadata = encodeAmf0('onMetaData', {
    ...(video ? { width: video.width, height: video.height, videocodecid: AVC_CODEC_ID } : {}),
    ...(audio ? { audiocodecid: AAC_SOUND_FORMAT, audiosamplerate: audio.sampleRate } : {}),
  });
  return Buffer.concat([
    flvTag(TAG_SCRIPT, timestampMs, metadata),
    ...(video ? [flvTag(TAG_VIDEO, timestampMs, videoHead(true, SEQUENCE_HEADER, 0), video.avcConfig)] : []),
    ...(audio ? [flvTag(TAG_AUDIO, timestampMs, AAC_HEADER_HEAD, audio.audioSpecificConfig)] : []),
  ]);
}

/**
 * The samples of the fragments in `bytes` (each moof+mdat, after whatever styp, prft... precede it), both tracks
 * interleaved by decode time, video first at equal times. Throws Mp4FormatError on bytes that are not fragments of
 * `init`'s run.
 */
export function flvSamples(bytes: Uint8Array, init: FlvInit): FlvSample[] {
  const top = childBoxes({ type: 'file', bytes, start: 0, bodyStart: 0, end: bytes.length });
  const samples: FlvSample[] = [];
  let fragments = 0;
  for (let i = 0; i < top.length; i++) {
    const moof = top[i];
    if (moof?.type !== 'moof') continue;
    const mdat = top[i + 1];
    if (mdat?.type !== 'mdat') throw new Mp4FormatError(`'moof' not followed by 'mdat'`, moof.end, 'unexpected-box');
    fragments += 1;
    for (const { trackId, samples: trackSamples } of fragmentSamples(moof, mdat, init.info)) {
      const type = trackId === init.video?.trackId ? TAG_VIDEO : TAG_AUDIO;
      const track = type === TAG_VIDEO ? init.video : init.audio;
      if (track?.trackId !== trackId) continue; // a track FLV does not carry (timed text, ...)
      const ms = (ticks: number): number => Math.round((ticks * 1000) / track.timescale);
      for (const sample of trackSamples) {
        const decodeMs = ms(sample.decodeTime);
        samples.push({
          type,
          decodeMs,
          endMs: ms(sample.decodeTime + sample.duration),
          // Both ends rounded alike, so presentation times keep their order.
          compositionMs: type === TAG_VIDEO ? ms(sample.decodeTime + sample.compositionOffset) - decodeMs : 0,
          keyframe: type === TAG_VIDEO && sample.sync,
          data: sample.bytes,
        });
      }
    }
  }
  if (fragments === 0) throw new Mp4FormatError('no moof in the fragment', 0);
  return samples.sort((a, b) => a.decodeMs - b.decodeMs || b.type - a.type);
}

/** `samples` as FLV tags on `timeline`; throws FlvConversionError for a sample FLV has no room for. */
export function flvTags(samples: readonly FlvSample[], { shiftMs, notBeforeMs }: FlvTimeline): FlvFragment {
  const tags: Buffer[] = [];
  const keyframes: FlvKeyframe[] = [];
  let at = 0;
  let firstMs: number | undefined;
  let lastMs = notBeforeMs;
  let endMs = notBeforeMs;
  for (const sample of samples) {
    lastMs = Math.max(lastMs, sample.decodeMs + shiftMs);
    firstMs ??= lastMs;
    endMs = Math.max(endMs, sample.endMs + shiftMs);
    const tag = sample.type === TAG_VIDEO ? videoTag(sample, lastMs) : audioTag(sample, lastMs);
    if (sample.keyframe) keyframes.push({ at, timestampMs: lastMs });
    tags.push(tag);
    at += tag.length;
  }
  return { bytes: Buffer.concat(tags), keyframes, firstMs: firstMs ?? notBeforeMs, lastMs, endMs };
}

function videoTag(sample: FlvSample, timestampMs: number): Buffer {
  if (Math.abs(sample.compositionMs) > MAX_COMPOSITION_MS) {
    throw new FlvConversionError(`composition offset of ${sample.compositionMs} ms does not fit FLV's 24 bits`);
  }
  return flvTag(TAG_VIDEO, timestampMs, videoHead(sample.keyframe, MEDIA_PACKET, sample.compositionMs), sample.data);
}

function audioTag(sample: FlvSample, timestampMs: number): Buffer {
  return flvTag(TAG_AUDIO, timestampMs, AAC_FRAME_HEAD, sample.data);
}

/** FLV's AVC video tag head: frame type and codec, AVC packet type, composition time. */
function videoHead(keyframe: boolean, packetType: number, compositionMs: number): Buffer {
  const head = Buffer.alloc(5);
  head[0] = (keyframe ? KEY_FRAME : INTER_FRAME) | AVC_CODEC_ID;
  head[1] = packetType;
  head.writeIntBE(compositionMs, 2, 3);
  return head;
}

/**
 * One FLV tag: the 11-byte header (type, body size, timestamp with its extension byte, stream id 0), the body
 * written from `body`'s parts, then PreviousTagSize.
 */
export function flvTag(type: number, timestampMs: number, ...body: Uint8Array[]): Buffer {
  const size = body.reduce((sum, part) => sum + part.length, 0);
  if (size > MAX_TAG_BODY_BYTES) throw new FlvConversionError(`tag body of ${size} bytes is past FLV's 24-bit size`);
  const tag = Buffer.alloc(TAG_HEADER_BYTES + size + PREVIOUS_TAG_SIZE_BYTES);
  const timestamp = timestampMs >>> 0;
  tag[0] = type;
  tag.writeUIntBE(size, 1, 3);
  tag.writeUIntBE(timestamp & 0xffffff, 4, 3);
  tag[7] = timestamp >>> 24;
  let at = TAG_HEADER_BYTES;
  for (const part of body) {
    tag.set(part, at);
    at += part.length;
  }
  tag.writeUInt32BE(TAG_HEADER_BYTES + size, at);
  return tag;
}
