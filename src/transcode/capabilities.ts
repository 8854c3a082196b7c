// What an FFmpeg build can do, read from its own listings, and what shopcast needs of it: fail at start, not mid-show.
import type { Profile } from './profile.js';

export type FfmpegSource = 'FFMPEG_PATH' | 'ffmpeg-static' | 'PATH' | '@ffmpeg-installer/ffmpeg';

export interface FfmpegCapabilities {
  /** As printed by `-version`: '5.1.9-0+deb12u1', or a git snapshot name like 'N-47683-g0e8eb07980-static'. */
  version: string;
  /** Release line (5 for 5.1.9); for snapshots derived from the libavformat major. Null if neither is printed. */
  major: number | null;
  encoders: ReadonlySet<string>;
  muxers: ReadonlySet<string>;
  filters: ReadonlySet<string>;
  /** hls muxer private options, each with its named values (e.g. hls_segment_type → {mpegts, fmp4}). */
  hlsOptions: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface FfmpegInfo extends FfmpegCapabilities {
  path: string;
  source: FfmpegSource;
  /** ffprobe beside the binary or on PATH, if any (diagnostics and tests only). */
  ffprobePath: string | null;
}

/** libavformat major → FFmpeg release major: 56 → 2 ... 58 → 4, 59 → 5, 62 → 8. */
const LAVF_TO_FFMPEG_MAJOR = 54;

/** First line of `ffmpeg -version` plus the library lines. */
export function parseVersion(text: string): { version: string; major: number | null } {
  const version = /^\S+ version (\S+)/m.exec(text)?.[1] ?? 'unknown';
  const release = /^n?(\d+)\.\d+/.exec(version);
  if (release) return { version, major: Number(release[1]) };
  const lavf = /^libavformat\s+(\d+)\./m.exec(text);
  return { version, major: lavf ? Number(lavf[1]) - LAVF_TO_FFMPEG_MAJOR : null };
}

/** Names from `-encoders` (` V....D libx264  ...`). */
export function parseEncoders(text: string): Set<string> {
  return namesAfterFlags(text, /^ [VAS][A-Z.]{5} (\w[\w-]*)/);
}

/** Names from `-muxers` (`  E hls  ...`, ` DE flv ...`). */
export function parseMuxers(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/^ [D ]E (\S+)/gm)) for (const name of match[1]!.split(',')) names.add(name);
  return names;
}

/** Names from `-filters` (` ..C scale  V->V ...`). */
export function parseFilters(text: string): Set<string> {
  return namesAfterFlags(text, /^ [T.][S.][C.] (\S+)\s+\S+->\S+/);
}

/** Private options of a muxer from `-h muxer=NAME`, with the named constants listed under each. */
export function parseMuxerOptions(text: string): Map<string, Set<string>> {
  const options = new Map<string, Set<string>>();
  let current: Set<string> | undefined;
  for (const line of text.split('\n')) {
    const option = /^ {2}-(\w+)\s+<\w+>/.exec(line);
    if (option) {
      current = new Set();
      options.set(option[1]!, current);
      continue;
    }
    // Constants sit deeper, without a dash, before their flags column ('E....'); 5.x also prints their value.
    const constant = /^ {4,}(\w+)\s+(?:-?\d+\s+)?[E.][A-Z.]{5,}/.exec(line);
    if (constant && current) current.add(constant[1]!);
  }
  return options;
}

function namesAfterFlags(text: string, pattern: RegExp): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const name = pattern.exec(line)?.[1];
    if (name) names.add(name);
  }
  return names;
}

/** HLS muxer options shopcast's command uses, and the named values it needs of them. */
const HLS_OPTIONS: ReadonlyArray<[string, string | null]> = [
  ['hls_segment_type', 'fmp4'],
  ['hls_fmp4_init_filename', null],
  ['hls_segment_filename', null],
  ['hls_flags', 'independent_segments'],
  ['var_stream_map', null],
  ['start_number', null],
];

const ENCODERS = ['libx264', 'aac'];
const FILTERS = ['split', 'fps', 'scale', 'setsar', 'pad', 'aresample'];

/**
 * What the build lacks of what the command builder uses, as readable items ('encoder libx264', ...); empty if none.
 * Every valid profile needs the same: libx264 and aac whatever the source (passthrough is never guaranteed, nor AAC
 * input), one hls muxer writing fMP4, and the filters of the per-rung chains.
 */
export function missingFeatures(info: FfmpegCapabilities): string[] {
  const missing = [
    ...ENCODERS.filter((name) => !info.encoders.has(name)).map((name) => `encoder ${name}`),
    ...(info.muxers.has('hls') ? [] : ['muxer hls']),
    ...FILTERS.filter((name) => !info.filters.has(name)).map((name) => `filter ${name}`),
  ];
  if (info.muxers.has('hls')) {
    for (const [option, value] of HLS_OPTIONS) {
      const values = info.hlsOptions.get(option);
      if (!values) missing.push(`hls muxer option ${option}`);
      else if (value && !values.has(value)) missing.push(`hls muxer option ${option}=${value}`);
    }
  }
  return missing;
}

/** Throws an Error saying what the build lacks to run `profile` and how to get one that has it; call at start. */
export function assertSupports(info: FfmpegInfo, profile: Pick<Profile, 'name'>): void {
  const missing = missingFeatures(info);
  if (missing.length === 0) return;
  const build = /^\d/.test(info.version) || info.major === null ? info.version : `${info.version} (${info.major}.x)`;
  throw new Error(
    `ffmpeg ${build} at ${info.path} (from ${info.source}) lacks ${missing.join(', ')} (profile '${profile.name}'): ` +
      'install ffmpeg ≥ 5 (apt-get install ffmpeg) or set FFMPEG_PATH to a build that has them',
  );
}
