// What an fMP4 init segment (ftyp+moov) says about its tracks: enough to time fragments, declare CODECS and hand a
// decoder its configuration.
import { boxAt, childBoxes, FieldReader, findChild, Mp4FormatError, requireChild, type Box } from './boxes.js';

/** trex: what a fragment's samples are when neither tfhd nor trun says otherwise. */
export interface TrackDefaults {
  readonly sampleDuration: number;
  readonly sampleSize: number;
  readonly sampleFlags: number;
}

export interface TrackInfo {
  readonly trackId: number;
  /** hdlr handler type: 'vide', 'soun', or whatever else the file carries. */
  readonly handler: string;
  /** mdhd ticks per second: the unit of every decode time and duration of this track. */
  readonly timescale: number;
  /** Sample entry fourcc from stsd: 'avc1', 'hvc1', 'mp4a', ... */
  readonly codec: string;
  /** RFC 6381 codec string for CODECS= in playlists, when it could be derived ('avc1.42c00d', 'mp4a.40.2'). */
  readonly codecs?: string;
  /**
   * What a decoder needs before the first sample, as a remux to another container carries it: the
   * AVCDecoderConfigurationRecord (avcC body) of H.264, the AudioSpecificConfig of MPEG-4 audio (AAC).
   */
  readonly decoderConfig?: Uint8Array;
  /** Video: coded size from the visual sample entry. */
  readonly width?: number;
  readonly height?: number;
  /** Audio: from the audio sample entry. */
  readonly channelCount?: number;
  readonly sampleRate?: number;
  readonly defaults: TrackDefaults;
}

export interface InitInfo {
  readonly majorBrand: string;
  readonly compatibleBrands: readonly string[];
  readonly tracks: readonly TrackInfo[];
}

/** Parses the top-level boxes in `bytes` (ftyp, moov and any free/skip between them). */
export function parseInit(bytes: Uint8Array): InitInfo {
  const top = childBoxes({ type: 'file', bytes, start: 0, bodyStart: 0, end: bytes.length });
  const ftyp = top.find((box) => box.type === 'ftyp');
  const moov = top.find((box) => box.type === 'moov');
  if (ftyp === undefined) throw new Mp4FormatError('init segment has no ftyp', 0);
  if (moov === undefined) throw new Mp4FormatError('init segment has no moov', 0);
  const mvex = findChild(moov, 'mvex');
  if (mvex === undefined) throw new Mp4FormatError('moov has no mvex: not a fragmented MP4', moov.start);
  const defaults = new Map(childBoxes(mvex).filter((box) => box.type === 'trex').map(readTrex));
  const tracks = childBoxes(moov)
    .filter((box) => box.type === 'trak')
    .map((trak) => readTrack(trak, defaults));
  return { ...readFtyp(ftyp), tracks };
}

function readFtyp(ftyp: Box): Pick<InitInfo, 'majorBrand' | 'compatibleBrands'> {
  const fields = FieldReader.of(ftyp);
  const majorBrand = fields.fourcc();
  fields.u32(); // minor version
  const compatibleBrands: string[] = [];
  while (fields.remaining >= 4) compatibleBrands.push(fields.fourcc());
  return { majorBrand, compatibleBrands };
}

function readTrex(trex: Box): [number, TrackDefaults] {
  const fields = FieldReader.of(trex);
  fields.fullBox();
  const trackId = fields.u32();
  fields.u32(); // default sample description index
  return [trackId, { sampleDuration: fields.u32(), sampleSize: fields.u32(), sampleFlags: fields.u32() }];
}

function readTrack(trak: Box, defaults: ReadonlyMap<number, TrackDefaults>): TrackInfo {
  const trackId = readTrackId(requireChild(trak, 'tkhd'));
  const trackDefaults = defaults.get(trackId);
  if (trackDefaults === undefined) throw new Mp4FormatError(`track ${trackId} has no trex in mvex`, trak.start);
  const mdia = requireChild(trak, 'mdia');
  const stbl = requireChild(requireChild(mdia, 'minf'), 'stbl');
  return {
    trackId,
    handler: readHandler(requireChild(mdia, 'hdlr')),
    timescale: readTimescale(requireChild(mdia, 'mdhd')),
    ...readSampleEntry(requireChild(stbl, 'stsd')),
    defaults: trackDefaults,
  };
}

function readTrackId(tkhd: Box): number {
  const fields = FieldReader.of(tkhd);
  const { version } = fields.fullBox();
  fields.skip(version === 1 ? 16 : 8); // creation and modification times
  return fields.u32();
}

function readHandler(hdlr: Box): string {
  const fields = FieldReader.of(hdlr);
  fields.fullBox();
  fields.u32(); // pre_defined
  return fields.fourcc();
}

function readTimescale(mdhd: Box): number {
  const fields = FieldReader.of(mdhd);
  const { version } = fields.fullBox();
  fields.skip(version === 1 ? 16 : 8);
  const timescale = fields.u32();
  if (timescale === 0) throw new Mp4FormatError('mdhd timescale is 0', mdhd.start);
  return timescale;
}

type SampleEntryInfo = Pick<TrackInfo, 'codec' | 'codecs' | 'decoderConfig' | 'width' | 'height' | 'channelCount' | 'sampleRate'>;

/** The first sample entry: ffmpeg writes one per track, and fragments here never switch description. */
function readSampleEntry(stsd: Box): SampleEntryInfo {
  const header = new FieldReader(stsd.bytes, stsd.bodyStart, stsd.end);
  header.fullBox();
  if (header.u32() === 0) throw new Mp4FormatError('stsd has no sample entry', stsd.start);
  const entry = boxAt(stsd.bytes, header.position, stsd.end);
  const fields = FieldReader.of(entry);
  fields.skip(8); // reserved, data_reference_index
  switch (entry.type) {
    case 'avc1':
    case 'avc3':
    case 'hvc1':
    case 'hev1':
      return readVisualEntry(entry, fields);
    case 'mp4a':
      return readAudioEntry(entry, fields);
    default:
      return { codec: entry.type };
  }
}

function readVisualEntry(entry: Box, fields: FieldReader): SampleEntryInfo {
  fields.skip(16); // pre_defined, reserved, pre_defined[3]
  const width = fields.u16();
  const height = fields.u16();
  fields.skip(50); // resolutions, reserved, frame_count, compressorname, depth, pre_defined
  const children = childBoxes(entry, fields.position);
  const avcC = children.find((box) => box.type === 'avcC');
  const hvcC = children.find((box) => box.type === 'hvcC');
  if (avcC) return { codec: entry.type, codecs: avcCodecs(entry.type, avcC), decoderConfig: body(avcC), width, height };
  return { codec: entry.type, codecs: hvcC ? hevcCodecs(entry.type, hvcC) : undefined, width, height };
}

/** RFC 6381 3.3: avc1.PPCCLL from the profile, constraint flags and level bytes of the configuration record. */
function avcCodecs(fourcc: string, avcC: Box): string {
  const fields = FieldReader.of(avcC);
  fields.u8(); // configurationVersion
  return `${fourcc}.${hex2(fields.u8())}${hex2(fields.u8())}${hex2(fields.u8())}`;
}

/** ISO 14496-15 E.3: hvc1.[space]profile.compat(bit-reversed).tier+level[.constraint bytes, trailing zeros cut]. */
function hevcCodecs(fourcc: string, hvcC: Box): string {
  const fields = FieldReader.of(hvcC);
  fields.u8(); // configurationVersion
  const first = fields.u8();
  const compatibility = fields.u32();
  const constraints = Array.from({ length: 6 }, () => fields.u8());
  const level = fields.u8();
  const space = ['', 'A', 'B', 'C'][first >> 6];
  const tier = first & 0x20 ? 'H' : 'L';
  let reversed = 0;
  for (let bit = 0; bit < 32; bit++) reversed = reversed * 2 + ((compatibility >>> bit) & 1);
  while (constraints.length > 0 && constraints[constraints.length - 1] === 0) constraints.pop();
  const tail = constraints.map((byte) => `.${byte.toString(16).toUpperCase()}`).join('');
  return `${fourcc}.${space}${first & 0x1f}.${reversed.toString(16).toUpperCase()}.${tier}${level}${tail}`;
}

function readAudioEntry(entry: Box, fields: FieldReader): SampleEntryInfo {
  const soundVersion = fields.u16(); // QuickTime sound description version; ISO files use 0
  fields.skip(6);
  const channelCount = fields.u16();
  fields.skip(6); // samplesize, pre_defined, reserved
  const sampleRate = fields.u32() >>> 16;
  if (soundVersion === 1) fields.skip(16);
  else if (soundVersion === 2) fields.skip(36);
  const esds = findChild(entry, 'esds', fields.position);
  return { codec: entry.type, ...(esds ? readEsds(esds) : {}), channelCount, sampleRate };
}

/** MPEG-4 Audio's objectTypeIndication in the DecoderConfigDescriptor. */
const MPEG4_AUDIO = 0x40;

/**
 * The CODECS string, RFC 6381 3.3's mp4a.OO[.A]: the decoder config's object type and, for MPEG-4 audio, the audio
 * object type of its AudioSpecificConfig (the DecoderSpecificInfo descriptor), which is also the decoder config.
 */
function readEsds(esds: Box): Pick<SampleEntryInfo, 'codecs' | 'decoderConfig'> {
  const fields = FieldReader.of(esds);
  fields.fullBox();
  if (readDescriptor(fields).tag !== 3) return {};
  fields.u16(); // ES_ID
  const esFlags = fields.u8();
  if (esFlags & 0x80) fields.u16(); // dependsOn_ES_ID
  if (esFlags & 0x40) fields.skip(fields.u8()); // URL
  if (esFlags & 0x20) fields.u16(); // OCR_ES_Id
  if (readDescriptor(fields).tag !== 4) return {};
  const objectType = fields.u8();
  fields.skip(12); // streamType, bufferSizeDB, maxBitrate, avgBitrate
  if (objectType !== MPEG4_AUDIO) return { codecs: `mp4a.${hex2(objectType)}` };
  const { tag, size } = readDescriptor(fields);
  if (tag !== 5) return {};
  const start = fields.position;
  fields.skip(size); // refuses a size past the esds
  const config = new FieldReader(esds.bytes, start, start + size);
  const first = config.u8();
  let audioObjectType = first >> 3;
  if (audioObjectType === 31) audioObjectType = 32 + (((first & 0x07) << 3) | (config.u8() >> 5));
  return { codecs: `mp4a.40.${audioObjectType}`, decoderConfig: esds.bytes.slice(start, start + size) };
}

/** Reads a descriptor's tag and its size, written in 1-4 bytes of 7 bits each (ISO 14496-1 8.3.3). */
function readDescriptor(fields: FieldReader): { tag: number; size: number } {
  const tag = fields.u8();
  let size = 0;
  for (let i = 0; i < 4; i++) {
    const byte = fields.u8();
    size = size * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) break;
  }
  return { tag, size };
}

/** A copy of a box's body, independent of the buffer it was read from. */
function body(box: Box): Uint8Array {
  return box.bytes.slice(box.bodyStart, box.end);
}

function hex2(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
