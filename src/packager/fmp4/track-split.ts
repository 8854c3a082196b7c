// One track of a rung's muxed fMP4 (init, fragments, segments), cut out on request: DASH players refuse multiplexed
// representations, and the origin serves video and audio from the one muxed copy instead of a second encode or file.
import { childBoxes, FieldReader, Mp4FormatError, requireChild, type Box } from './boxes.js';
import { parseInit, type InitInfo } from './init.js';

export interface SplitMediaOptions {
  /** The init of the run the media belongs to: its tracks, and the trex defaults a tfhd may leave to it. */
  init: InitInfo;
  trackId: number;
  /**
   * Stream position of `bytes[0]`, which a tfhd base_data_offset counts from (an FFmpeg output without
   * `+default_base_moof` writes those). 0 for a whole stream; shopcast's outputs use moof-relative offsets anyway.
   */
  streamOffset?: number;
}

/** tfhd flags (ISO 14496-12 8.8.7.1). */
const BASE_DATA_OFFSET_PRESENT = 0x01;
const DEFAULT_SAMPLE_SIZE_PRESENT = 0x10;
const DEFAULT_BASE_IS_MOOF = 0x20000;
/** trun flags (8.8.8.1). */
const DATA_OFFSET_PRESENT = 0x01;
const FIRST_SAMPLE_FLAGS_PRESENT = 0x04;
const SAMPLE_SIZE_PRESENT = 0x200;
const PER_SAMPLE_FIELDS = [0x100, SAMPLE_SIZE_PRESENT, 0x400, 0x800];

const INIT_BOXES = new Set(['ftyp', 'free', 'skip', 'moov']);
/** What may come before a moof, as the stream reader admits it. */
const PREFIX_BOXES = new Set(['styp', 'prft', 'sidx', 'emsg', 'free', 'skip', 'uuid']);

/**
 * The init segment of track `trackId` alone: moov keeps that trak only, mvex that track's trex (and trep) only, mvhd's
 * next_track_id follows it; ftyp and everything else is kept. Throws Mp4FormatError on input that is not an init
 * holding that track.
 */
export function splitInit(bytes: Uint8Array, trackId: number): Uint8Array {
  const info = parseInit(bytes);
  const index = info.tracks.findIndex((track) => track.trackId === trackId);
  if (index < 0) throw new Mp4FormatError(`init has no track ${trackId}`, 0);
  return concat(
    topBoxes(bytes).map((unit) => {
      if (!INIT_BOXES.has(unit.type)) {
        throw new Mp4FormatError(`'${printable(unit.type)}' box in an init segment`, unit.start, 'unexpected-box');
      }
      return unit.type === 'moov' ? trackMoov(unit, index, trackId) : raw(unit);
    }),
  );
}

/**
 * Track `trackId`'s part of fragments (one or more moof+mdat pairs, each possibly after styp, emsg, prft, sidx...):
 * each moof keeps mfhd and that track's traf, whose trun data offsets point into a new mdat holding only its samples,
 * in order and byte for byte. A pair without that track's traf is left out. styp and emsg are kept, prft only when it
 * refers to the track; sidx (its sizes describe the muxed bytes), free, skip and uuid are dropped. Throws
 * Mp4FormatError on anything else, including a sample run outside its mdat.
 */
export function splitMedia(bytes: Uint8Array, { init, trackId, streamOffset = 0 }: SplitMediaOptions): Uint8Array {
  if (!init.tracks.some((track) => track.trackId === trackId)) throw new RangeError(`track ${trackId} is not in the init`);
  const top = topBoxes(bytes);
  const out: Uint8Array[] = [];
  for (let i = 0; i < top.length; i++) {
    const unit = top[i] as Box;
    if (unit.type === 'moof') {
      const mdat = top[i + 1];
      if (mdat?.type !== 'mdat') throw new Mp4FormatError(`'moof' not followed by 'mdat'`, unit.end, 'unexpected-box');
      out.push(...splitFragment(unit, mdat, { init, trackId, streamOffset }));
      i += 1;
    } else if (!PREFIX_BOXES.has(unit.type)) {
      throw new Mp4FormatError(`'${printable(unit.type)}' box not allowed in fragments`, unit.start, 'unexpected-box');
    } else if (unit.type === 'styp' || unit.type === 'emsg' || (unit.type === 'prft' && fullBoxTrackId(unit) === trackId)) {
      out.push(raw(unit));
    }
  }
  return concat(out);
}

function trackMoov(moov: Box, index: number, trackId: number): Uint8Array {
  const children = childBoxes(moov);
  const kept = children.filter((box) => box.type === 'trak')[index];
  return box(
    'moov',
    children.flatMap((child) => {
      if (child.type === 'mvhd') return [withNextTrackId(child, Math.min(trackId + 1, 0xffffffff))];
      if (child.type === 'trak') return child === kept ? [raw(child)] : [];
      if (child.type === 'mvex') return [trackMvex(child, trackId)];
      return [raw(child)];
    }),
  );
}

/** mvhd with next_track_id, its last field, set: the track ids in use are the kept track's alone. */
function withNextTrackId(mvhd: Box, next: number): Uint8Array {
  const fields = FieldReader.of(mvhd);
  const { version } = fields.fullBox();
  fields.skip(version === 1 ? 28 : 16); // times, timescale, duration
  fields.skip(76); // rate, volume, reserved, matrix, pre_defined
  const at = fields.position - mvhd.start;
  fields.u32();
  const copy = mvhd.bytes.slice(mvhd.start, mvhd.end);
  new DataView(copy.buffer).setUint32(at, next);
  return copy;
}

/** mvex without the other tracks' trex and trep (both start with the track id). */
function trackMvex(mvex: Box, trackId: number): Uint8Array {
  const kept = childBoxes(mvex).filter((child) => (child.type !== 'trex' && child.type !== 'trep') || fullBoxTrackId(child) === trackId);
  return box('mvex', kept.map(raw));
}

function fullBoxTrackId(child: Box): number {
  const fields = FieldReader.of(child);
  fields.fullBox();
  return fields.u32();
}

interface SplitContext {
  init: InitInfo;
  trackId: number;
  streamOffset: number;
}

/** A run of samples: where its bytes are in the input, and its trun to write again with a new data offset. */
interface SampleRun {
  start: number;
  length: number;
  version: number;
  flags: number;
  sampleCount: number;
  /** first_sample_flags and the per-sample table, copied as they are. */
  tail: Uint8Array;
}

/** A kept traf's children, in order: bytes as written (tfhd already rewritten), and truns awaiting their offset. */
type TrafPart = { kind: 'bytes'; bytes: Uint8Array } | { kind: 'trun'; run: SampleRun };

function splitFragment(moof: Box, mdat: Box, context: SplitContext): Uint8Array[] {
  requireChild(moof, 'mfhd');
  const children = childBoxes(moof);
  const kept = new Map<Box, TrafPart[]>();
  // Without base_data_offset or default-base-is-moof, the first traf's data starts at its moof and each later one's
  // where the data of the traf before it ended (8.8.7.1).
  let implicitBase = moof.start;
  for (const child of children) {
    if (child.type !== 'traf') continue;
    const traf = readTraf(child, moof, mdat, context, implicitBase);
    implicitBase = traf.end;
    if (traf.parts !== undefined) kept.set(child, traf.parts);
  }
  if (kept.size === 0) return [];

  const runs = [...kept.values()].flat().flatMap((part) => (part.kind === 'trun' ? [part.run] : []));
  const moofBytes = (offsets: readonly number[]): Uint8Array => {
    let run = 0;
    const trafBytes = (parts: TrafPart[]): Uint8Array =>
      box('traf', parts.map((part) => (part.kind === 'trun' ? trunBytes(part.run, offsets[run++] ?? 0) : part.bytes)));
    return box(
      'moof',
      children.flatMap((child) => {
        if (child.type !== 'traf') return [raw(child)];
        const parts = kept.get(child);
        return parts === undefined ? [] : [trafBytes(parts)];
      }),
    );
  };
  // A trun's size does not depend on its data offset: lay the moof out once to learn its size, then for real.
  const moofSize = moofBytes([]).length;
  const dataLength = runs.reduce((sum, run) => sum + run.length, 0);
  const mdatHeader = 8;
  let next = moofSize + mdatHeader;
  const offsets = runs.map((run) => {
    const offset = next;
    next += run.length;
    return offset;
  });
  if (next > 0x7fffffff) throw new Mp4FormatError(`fragment of ${next} bytes is past trun's 32-bit data offset`, moof.start, 'too-large');
  const samples = new Uint8Array(dataLength);
  runs.forEach((run, i) => samples.set(moof.bytes.subarray(run.start, run.start + run.length), (offsets[i] as number) - moofSize - mdatHeader));
  return [moofBytes(offsets), box('mdat', [samples])];
}

/**
 * Reads one traf, locating its sample runs; `parts` only for the track being kept. `implicitBase` is where its data
 * starts when tfhd names no base. Returns where its data ends, for the next traf's implicit base.
 */
function readTraf(traf: Box, moof: Box, mdat: Box, context: SplitContext, implicitBase: number): { parts?: TrafPart[]; end: number } {
  const tfhd = requireChild(traf, 'tfhd');
  const header = FieldReader.of(tfhd);
  const { version, flags } = header.fullBox();
  const trackId = header.u32();
  const track = context.init.tracks.find((candidate) => candidate.trackId === trackId);
  if (track === undefined) throw new Mp4FormatError(`fragment refers to track ${trackId}, not in the init`, tfhd.start);
  const baseDataOffset = flags & BASE_DATA_OFFSET_PRESENT ? header.u64() - context.streamOffset : undefined;
  const rest = header.position;
  if (flags & 0x02) header.u32(); // sample_description_index
  if (flags & 0x08) header.u32(); // default_sample_duration
  const defaultSize = flags & DEFAULT_SAMPLE_SIZE_PRESENT ? header.u32() : track.defaults.sampleSize;
  const base = baseDataOffset ?? (flags & DEFAULT_BASE_IS_MOOF ? moof.start : implicitBase);

  const keep = trackId === context.trackId;
  const parts: TrafPart[] = [];
  let end = base;
  for (const child of childBoxes(traf)) {
    if (child.type === 'trun') {
      const run = readTrun(child, base, end, defaultSize, mdat);
      end = run.start + run.length;
      parts.push({ kind: 'trun', run });
    } else if (child.start === tfhd.start) {
      // The kept traf's data offsets count from its moof, whatever the input's counted from.
      const flagsOut = (flags & ~BASE_DATA_OFFSET_PRESENT) | DEFAULT_BASE_IS_MOOF;
      const head = Uint8Array.of(version, flagsOut >>> 16, (flagsOut >>> 8) & 0xff, flagsOut & 0xff);
      const id = tfhd.bytes.subarray(tfhd.bodyStart + 4, tfhd.bodyStart + 8);
      parts.push({ kind: 'bytes', bytes: box('tfhd', [head, id, tfhd.bytes.subarray(rest, tfhd.end)]) });
    } else if (child.type === 'saio' && keep) {
      throw new Mp4FormatError(`traf of track ${trackId} has saio, whose offsets cannot be moved`, child.start, 'unexpected-box');
    } else {
      parts.push({ kind: 'bytes', bytes: raw(child) });
    }
  }
  return keep ? { parts, end } : { end };
}

/** One trun: its samples start at base + data_offset, or where the traf's previous run ended (8.8.8.1). */
function readTrun(trun: Box, base: number, previousEnd: number, defaultSize: number, mdat: Box): SampleRun {
  const fields = FieldReader.of(trun);
  const { version, flags } = fields.fullBox();
  const sampleCount = fields.u32();
  const start = flags & DATA_OFFSET_PRESENT ? base + fields.i32() : previousEnd;
  const tailStart = fields.position;
  if (flags & FIRST_SAMPLE_FLAGS_PRESENT) fields.u32();
  const fieldsPerSample = PER_SAMPLE_FIELDS.filter((flag) => flags & flag).length;
  // Checked before the loop so a corrupt count cannot make it spin over samples that are not there.
  if (sampleCount * fieldsPerSample * 4 > fields.remaining) {
    throw new Mp4FormatError(`trun declares ${sampleCount} samples, more than it holds`, trun.start);
  }
  let length = flags & SAMPLE_SIZE_PRESENT ? 0 : sampleCount * defaultSize;
  for (let i = 0; i < sampleCount && fieldsPerSample > 0; i++) {
    if (flags & 0x100) fields.u32();
    if (flags & SAMPLE_SIZE_PRESENT) length += fields.u32();
    if (flags & 0x400) fields.u32();
    if (flags & 0x800) fields.u32();
  }
  if (length > 0 && (start < mdat.bodyStart || start + length > mdat.end)) {
    throw new Mp4FormatError(`trun's ${length} sample bytes at ${start} are not inside the mdat after its moof`, trun.start);
  }
  const tail = trun.bytes.slice(tailStart, fields.position);
  return { start, length, version, flags: flags | DATA_OFFSET_PRESENT, sampleCount, tail };
}

function trunBytes(run: SampleRun, dataOffset: number): Uint8Array {
  const head = new Uint8Array(12);
  const view = new DataView(head.buffer);
  view.setUint32(0, ((run.version << 24) | run.flags) >>> 0);
  view.setUint32(4, run.sampleCount);
  view.setInt32(8, dataOffset);
  return box('trun', [head, run.tail]);
}

function topBoxes(bytes: Uint8Array): Box[] {
  return childBoxes({ type: 'file', bytes, start: 0, bodyStart: 0, end: bytes.length });
}

function raw(source: Box): Uint8Array {
  return source.bytes.subarray(source.start, source.end);
}

/** A box with a 32-bit size: the output is never larger than the input boxes it comes from. */
function box(type: string, body: readonly Uint8Array[]): Uint8Array {
  const size = 8 + body.reduce((sum, part) => sum + part.length, 0);
  if (size > 0xffffffff) throw new Mp4FormatError(`'${type}' of ${size} bytes needs a 64-bit size`, 0, 'too-large');
  const bytes = new Uint8Array(size);
  new DataView(bytes.buffer).setUint32(0, size);
  for (let i = 0; i < 4; i++) bytes[4 + i] = type.charCodeAt(i);
  let at = 8;
  for (const part of body) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

/** Box types from corrupt input can be any bytes; keep them readable in messages. */
function printable(type: string): string {
  return type.replace(/[^\x20-\x7e]/g, '?');
}

/** Handlers of the track a DASH track letter names. */
const TRACK_HANDLERS = { v: 'vide', a: 'soun' } as const;

/**
 * A DASH track file: track `track` ('v' video, 'a' audio) of a muxed init segment or, with `media`, of a muxed media
 * segment of that init's run. Throws Mp4FormatError on input that is not one, or that has no such track.
 */
export function trackFile(init: Uint8Array, media: Uint8Array | undefined, track: keyof typeof TRACK_HANDLERS): Uint8Array {
  const info = parseInit(init);
  const found = info.tracks.find((t) => t.handler === TRACK_HANDLERS[track]);
  if (found === undefined) throw new Mp4FormatError(`init has no ${TRACK_HANDLERS[track]} track`, 0);
  return media === undefined ? splitInit(init, found.trackId) : splitMedia(media, { init: info, trackId: found.trackId });
}
