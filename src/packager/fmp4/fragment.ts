// What an fMP4 fragment (moof+mdat) holds per track: when it starts, how long it lasts, whether playback can start,
// and, for a consumer that remuxes it, each sample with its bytes.
import { childBoxes, FieldReader, findChild, Mp4FormatError, requireChild, type Box } from './boxes.js';
import type { InitInfo, TrackInfo } from './init.js';

/** sample_is_non_sync_sample in the sample flags (ISO 14496-12 8.8.3.1). */
const NON_SYNC_SAMPLE = 0x10000;
/** tfhd flags (8.8.7.1). */
const BASE_DATA_OFFSET_PRESENT = 0x01;
const DEFAULT_BASE_IS_MOOF = 0x20000;

/** One traf: a track's samples in this fragment. Times are in the track's timescale. */
export interface TrackFragment {
  readonly trackId: number;
  /** tfdt: decode time of the first sample. */
  readonly baseMediaDecodeTime: number;
  readonly sampleCount: number;
  /** Sum of the sample durations. */
  readonly duration: number;
  /** Sum of the sample sizes, in bytes of mdat. */
  readonly sampleBytes: number;
  readonly firstSampleIsSync: boolean;
}

export interface FragmentInfo {
  /** mfhd sequence number. */
  readonly sequenceNumber: number;
  readonly tracks: readonly TrackFragment[];
  /**
   * Playback can start here: the video track's first sample is a sync sample. Always true without a video track;
   * false when the init has video but this fragment carries none (nothing to show until the next keyframe).
   */
  readonly independent: boolean;
}

/** One sample of a fragment; times in its track's timescale. */
export interface Sample {
  readonly decodeTime: number;
  readonly duration: number;
  /** Presentation time minus decode time; negative only from a version 1 trun. */
  readonly compositionOffset: number;
  readonly size: number;
  readonly sync: boolean;
  /** The sample as stored: a subarray of the mdat. */
  readonly bytes: Uint8Array;
}

/** One traf's samples, in decode order. */
export interface TrackSamples {
  readonly trackId: number;
  readonly baseMediaDecodeTime: number;
  readonly samples: readonly Sample[];
}

export interface FragmentSamplesOptions {
  /**
   * Stream position of `moof.bytes[0]`, which a tfhd base_data_offset counts from (an FFmpeg output without
   * `+default_base_moof` writes those). 0 for a whole stream; shopcast's outputs use moof-relative offsets anyway.
   */
  streamOffset?: number;
}

/** Reads `moof`; `mdat` is the data box after it, whose body must hold the samples the moof describes. */
export function parseFragment(moof: Box, mdat: Box, init: InitInfo): FragmentInfo {
  const mfhd = FieldReader.of(requireChild(moof, 'mfhd'));
  mfhd.fullBox();
  const sequenceNumber = mfhd.u32();
  const tracks = readTrafs(moof, mdat, init, 0).map(({ trackId, baseMediaDecodeTime, samples }) => ({
    trackId,
    baseMediaDecodeTime,
    sampleCount: samples.length,
    duration: samples.reduce((sum, sample) => sum + sample.duration, 0),
    sampleBytes: samples.reduce((sum, sample) => sum + sample.size, 0),
    firstSampleIsSync: samples[0]?.sync ?? false,
  }));
  const sampleBytes = tracks.reduce((sum, track) => sum + track.sampleBytes, 0);
  if (sampleBytes > mdat.end - mdat.bodyStart) {
    const held = mdat.end - mdat.bodyStart;
    throw new Mp4FormatError(`moof describes ${sampleBytes} sample bytes, mdat holds ${held}`, mdat.start);
  }
  return { sequenceNumber, tracks, independent: isIndependent(tracks, init) };
}

/**
 * Every traf's samples with their bytes; `mdat` is the data box after `moof`, in the same buffer. Throws
 * Mp4FormatError when a sample lies outside that mdat's body.
 */
export function fragmentSamples(
  moof: Box,
  mdat: Box,
  init: InitInfo,
  { streamOffset = 0 }: FragmentSamplesOptions = {},
): TrackSamples[] {
  if (moof.bytes !== mdat.bytes) throw new RangeError('moof and mdat must be boxes of the same buffer');
  return readTrafs(moof, mdat, init, streamOffset).map(({ trackId, baseMediaDecodeTime, samples }) => ({
    trackId,
    baseMediaDecodeTime,
    samples: samples.map(({ offset, ...sample }) => {
      if (offset < mdat.bodyStart || offset + sample.size > mdat.end) {
        const reason = `sample of ${sample.size} bytes at ${offset} is not inside the mdat after its moof`;
        throw new Mp4FormatError(reason, offset);
      }
      return { ...sample, bytes: moof.bytes.subarray(offset, offset + sample.size) };
    }),
  }));
}

/** Length of `trackId`'s samples in this fragment, in seconds. */
export function fragmentSeconds(fragment: FragmentInfo, init: InitInfo, trackId: number): number {
  const timescale = init.tracks.find((track) => track.trackId === trackId)?.timescale;
  if (timescale === undefined) throw new RangeError(`track ${trackId} is not in the init`);
  return (fragment.tracks.find((track) => track.trackId === trackId)?.duration ?? 0) / timescale;
}

function isIndependent(tracks: readonly TrackFragment[], init: InitInfo): boolean {
  const video = init.tracks.find((track) => track.handler === 'vide');
  if (video === undefined) return true;
  return tracks.find((track) => track.trackId === video.trackId)?.firstSampleIsSync ?? false;
}

/** A sample as its trun places it: `offset` is where its bytes start in the moof's buffer. */
type PlacedSample = Omit<Sample, 'bytes'> & { readonly offset: number };

interface TrafSamples {
  trackId: number;
  baseMediaDecodeTime: number;
  samples: PlacedSample[];
}

function readTrafs(moof: Box, mdat: Box, init: InitInfo, streamOffset: number): TrafSamples[] {
  const trafs: TrafSamples[] = [];
  // Without base_data_offset or default-base-is-moof, the first traf's data starts at its moof and each later one's
  // where the data of the traf before it ended (8.8.7.1).
  let implicitBase = moof.start;
  for (const traf of childBoxes(moof)) {
    if (traf.type !== 'traf') continue;
    const { end, ...read } = readTraf(traf, { moof, mdat, init, streamOffset, implicitBase });
    implicitBase = end;
    trafs.push(read);
  }
  return trafs;
}

interface TrafContext {
  moof: Box;
  mdat: Box;
  init: InitInfo;
  streamOffset: number;
  implicitBase: number;
}

/** Also where the traf's data ends, which the next traf's implicit base is. */
function readTraf(traf: Box, context: TrafContext): TrafSamples & { end: number } {
  const { trackId, base, defaults } = readTfhd(requireChild(traf, 'tfhd'), context);
  const tfdt = findChild(traf, 'tfdt');
  if (tfdt === undefined) throw new Mp4FormatError(`traf of track ${trackId} has no tfdt`, traf.start);
  const baseMediaDecodeTime = readTfdt(tfdt);
  const samples: PlacedSample[] = [];
  // A trun without data_offset continues where the traf's previous run ended (8.8.8.1).
  const position = { decodeTime: baseMediaDecodeTime, offset: base };
  for (const trun of childBoxes(traf)) {
    if (trun.type === 'trun') readTrun(trun, { base, defaults, position, mdat: context.mdat, samples });
  }
  return { trackId, baseMediaDecodeTime, samples, end: position.offset };
}

/** The fields of tfhd that stand in for samples' own. */
interface FragmentDefaults {
  sampleDuration: number;
  sampleSize: number;
  sampleFlags: number;
}

function readTfhd(tfhd: Box, context: TrafContext): { trackId: number; base: number; defaults: FragmentDefaults } {
  const fields = FieldReader.of(tfhd);
  const { flags } = fields.fullBox();
  const trackId = fields.u32();
  const trex = trackOf(context.init, trackId, tfhd.start).defaults;
  const baseDataOffset = flags & BASE_DATA_OFFSET_PRESENT ? fields.u64() - context.streamOffset : undefined;
  if (flags & 0x02) fields.u32(); // sample_description_index
  return {
    trackId,
    base: baseDataOffset ?? (flags & DEFAULT_BASE_IS_MOOF ? context.moof.start : context.implicitBase),
    defaults: {
      sampleDuration: flags & 0x08 ? fields.u32() : trex.sampleDuration,
      sampleSize: flags & 0x10 ? fields.u32() : trex.sampleSize,
      sampleFlags: flags & 0x20 ? fields.u32() : trex.sampleFlags,
    },
  };
}

function readTfdt(tfdt: Box): number {
  const fields = FieldReader.of(tfdt);
  const { version } = fields.fullBox();
  return version === 1 ? fields.u64() : fields.u32();
}

interface TrunContext {
  base: number;
  defaults: FragmentDefaults;
  /** Where the next sample starts, in decode time and in the buffer; advanced past this run's samples. */
  position: { decodeTime: number; offset: number };
  mdat: Box;
  /** Receives this run's samples. */
  samples: PlacedSample[];
}

function readTrun(trun: Box, { base, defaults, position, mdat, samples }: TrunContext): void {
  const fields = FieldReader.of(trun);
  const { version, flags } = fields.fullBox();
  const sampleCount = fields.u32();
  if (flags & 0x01) position.offset = base + fields.i32(); // data_offset
  const firstSampleFlags = flags & 0x04 ? fields.u32() : undefined;
  const hasDuration = (flags & 0x100) !== 0;
  const hasSize = (flags & 0x200) !== 0;
  const hasFlags = (flags & 0x400) !== 0;
  const hasOffset = (flags & 0x800) !== 0;
  const perSample = 4 * (Number(hasDuration) + Number(hasSize) + Number(hasFlags) + Number(hasOffset));
  // Checked before the loop so a corrupt count cannot make it spin over (or list) samples that are not there: each
  // has its fields in the trun, or its bytes (at least one) in the mdat.
  if (sampleCount * perSample > fields.remaining) {
    throw new Mp4FormatError(`trun declares ${sampleCount} samples, more than it holds`, trun.start);
  }
  const held = mdat.end - mdat.bodyStart;
  const leastBytes = hasSize ? 0 : sampleCount * Math.max(defaults.sampleSize, 1);
  if (leastBytes > held) {
    throw new Mp4FormatError(`trun describes ${leastBytes} sample bytes, mdat holds ${held}`, trun.start);
  }
  for (let i = 0; i < sampleCount; i++) {
    const duration = hasDuration ? fields.u32() : defaults.sampleDuration;
    const size = hasSize ? fields.u32() : defaults.sampleSize;
    const ownFlags = hasFlags ? fields.u32() : defaults.sampleFlags;
    const sampleFlags = i === 0 && firstSampleFlags !== undefined ? firstSampleFlags : ownFlags;
    const compositionOffset = hasOffset ? (version === 1 ? fields.i32() : fields.u32()) : 0;
    const sync = (sampleFlags & NON_SYNC_SAMPLE) === 0;
    samples.push({ decodeTime: position.decodeTime, duration, compositionOffset, size, sync, offset: position.offset });
    position.decodeTime += duration;
    position.offset += size;
  }
}

function trackOf(init: InitInfo, trackId: number, offset: number): TrackInfo {
  const track = init.tracks.find((candidate) => candidate.trackId === trackId);
  if (track === undefined) throw new Mp4FormatError(`fragment refers to track ${trackId}, not in the init`, offset);
  return track;
}
