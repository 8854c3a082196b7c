// What an fMP4 fragment (moof+mdat) holds per track: when it starts, how long it lasts, whether playback can start.
import { childBoxes, FieldReader, findChild, Mp4FormatError, requireChild, type Box } from './boxes.js';
import type { InitInfo, TrackInfo } from './init.js';

/** sample_is_non_sync_sample in the sample flags (ISO 14496-12 8.8.3.1). */
const NON_SYNC_SAMPLE = 0x10000;

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

/** Reads `moof`; `mdat` is the data box after it, whose body must hold the samples the moof describes. */
export function parseFragment(moof: Box, mdat: Box, init: InitInfo): FragmentInfo {
  const mfhd = FieldReader.of(requireChild(moof, 'mfhd'));
  mfhd.fullBox();
  const sequenceNumber = mfhd.u32();
  const tracks = childBoxes(moof)
    .filter((box) => box.type === 'traf')
    .map((traf) => readTraf(traf, init));
  const sampleBytes = tracks.reduce((sum, track) => sum + track.sampleBytes, 0);
  if (sampleBytes > mdat.end - mdat.bodyStart) {
    const held = mdat.end - mdat.bodyStart;
    throw new Mp4FormatError(`moof describes ${sampleBytes} sample bytes, mdat holds ${held}`, mdat.start);
  }
  return { sequenceNumber, tracks, independent: isIndependent(tracks, init) };
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

/** The fields of tfhd that stand in for samples' own. */
interface FragmentDefaults {
  sampleDuration: number;
  sampleSize: number;
  sampleFlags: number;
}

function readTraf(traf: Box, init: InitInfo): TrackFragment {
  const { trackId, defaults } = readTfhd(requireChild(traf, 'tfhd'), init);
  const tfdt = findChild(traf, 'tfdt');
  if (tfdt === undefined) throw new Mp4FormatError(`traf of track ${trackId} has no tfdt`, traf.start);
  const runs = childBoxes(traf)
    .filter((box) => box.type === 'trun')
    .map((trun) => readTrun(trun, defaults));
  const firstRun = runs.find((run) => run.sampleCount > 0);
  return {
    trackId,
    baseMediaDecodeTime: readTfdt(tfdt),
    sampleCount: runs.reduce((sum, run) => sum + run.sampleCount, 0),
    duration: runs.reduce((sum, run) => sum + run.duration, 0),
    sampleBytes: runs.reduce((sum, run) => sum + run.sampleBytes, 0),
    firstSampleIsSync: firstRun?.firstSampleIsSync ?? false,
  };
}

function readTfhd(tfhd: Box, init: InitInfo): { trackId: number; defaults: FragmentDefaults } {
  const fields = FieldReader.of(tfhd);
  const { flags } = fields.fullBox();
  const trackId = fields.u32();
  const trex = trackOf(init, trackId, tfhd.start).defaults;
  if (flags & 0x01) fields.u64(); // base_data_offset
  if (flags & 0x02) fields.u32(); // sample_description_index
  return {
    trackId,
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

interface Run {
  sampleCount: number;
  duration: number;
  sampleBytes: number;
  firstSampleIsSync: boolean;
}

function readTrun(trun: Box, defaults: FragmentDefaults): Run {
  const fields = FieldReader.of(trun);
  const { flags } = fields.fullBox();
  const sampleCount = fields.u32();
  if (flags & 0x01) fields.i32(); // data_offset
  const firstSampleFlags = flags & 0x04 ? fields.u32() : undefined;
  const hasDuration = (flags & 0x100) !== 0;
  const hasSize = (flags & 0x200) !== 0;
  const hasFlags = (flags & 0x400) !== 0;
  const hasOffset = (flags & 0x800) !== 0;
  const perSample = 4 * (Number(hasDuration) + Number(hasSize) + Number(hasFlags) + Number(hasOffset));
  // Checked before the loop so a corrupt count cannot make it spin over samples that are not there.
  if (sampleCount * perSample > fields.remaining) {
    throw new Mp4FormatError(`trun declares ${sampleCount} samples, more than it holds`, trun.start);
  }
  let duration = hasDuration ? 0 : sampleCount * defaults.sampleDuration;
  let sampleBytes = hasSize ? 0 : sampleCount * defaults.sampleSize;
  let firstFlags = firstSampleFlags ?? defaults.sampleFlags;
  for (let i = 0; i < sampleCount && perSample > 0; i++) {
    if (hasDuration) duration += fields.u32();
    if (hasSize) sampleBytes += fields.u32();
    const sampleFlags = hasFlags ? fields.u32() : undefined;
    if (i === 0 && firstSampleFlags === undefined && sampleFlags !== undefined) firstFlags = sampleFlags;
    if (hasOffset) fields.u32();
  }
  return { sampleCount, duration, sampleBytes, firstSampleIsSync: (firstFlags & NON_SYNC_SAMPLE) === 0 };
}

function trackOf(init: InitInfo, trackId: number, offset: number): TrackInfo {
  const track = init.tracks.find((candidate) => candidate.trackId === trackId);
  if (track === undefined) throw new Mp4FormatError(`fragment refers to track ${trackId}, not in the init`, offset);
  return track;
}
