// Finds the FFmpeg binary to use and asks it what it can do, once at start.
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../log.js';
import {
  parseEncoders,
  parseFilters,
  parseMuxerOptions,
  parseMuxers,
  parseVersion,
  type FfmpegInfo,
  type FfmpegSource,
} from './capabilities.js';

export { assertSupports, missingFeatures, type FfmpegInfo, type FfmpegSource } from './capabilities.js';

const run = promisify(execFile);

const PROBE_TIMEOUT_MS = 15_000;
/** Not a literal import: ffmpeg-static is an optional dependency, usually absent (its download fails offline). */
const FFMPEG_STATIC = 'ffmpeg-static';

export class FfmpegNotFoundError extends Error {}

export interface ResolveFfmpegOptions {
  /** FFMPEG_PATH from the configuration: when set it is the only candidate. */
  ffmpegPath?: string;
  log: Logger;
  /** Where PATH is read from (tests). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Picks FFmpeg in this order: FFMPEG_PATH, ffmpeg-static, `ffmpeg` on PATH, @ffmpeg-installer/ffmpeg; then probes
 * version, encoders, muxers, filters and hls muxer options. Throws FfmpegNotFoundError when nothing usable is found.
 */
export async function resolveFfmpeg({ ffmpegPath, log, env = process.env }: ResolveFfmpegOptions): Promise<FfmpegInfo> {
  const found = await locate(ffmpegPath, env);
  const info = await probeFfmpeg({ ...found, env });
  const { path: binary, source, version, major, ffprobePath } = info;
  log.info({ path: binary, source, version, major, ffprobe: ffprobePath }, 'ffmpeg resolved');
  return info;
}

interface Located {
  path: string;
  source: FfmpegSource;
}

async function locate(ffmpegPath: string | undefined, env: NodeJS.ProcessEnv): Promise<Located> {
  if (ffmpegPath !== undefined) {
    const resolved = path.resolve(ffmpegPath);
    if (!(await isExecutableFile(resolved))) {
      throw new FfmpegNotFoundError(
        `FFMPEG_PATH=${ffmpegPath} is not an executable file: fix the path or unset FFMPEG_PATH`,
      );
    }
    return { path: resolved, source: 'FFMPEG_PATH' };
  }
  const fromStatic = await fromFfmpegStatic();
  if (fromStatic) return { path: fromStatic, source: 'ffmpeg-static' };
  const onPath = await findOnPath('ffmpeg', env);
  if (onPath) return { path: onPath, source: 'PATH' };
  const fromInstaller = await fromFfmpegInstaller();
  if (fromInstaller) return { path: fromInstaller, source: '@ffmpeg-installer/ffmpeg' };
  throw new FfmpegNotFoundError('no FFmpeg found: install it (apt-get install ffmpeg) or set FFMPEG_PATH');
}

async function fromFfmpegStatic(): Promise<string | null> {
  try {
    const loaded = (await import(FFMPEG_STATIC)) as { default?: unknown };
    const file = loaded.default;
    return typeof file === 'string' && (await isExecutableFile(file)) ? file : null;
  } catch {
    // Not installed (MODULE_NOT_FOUND) or its binary was never downloaded.
    return null;
  }
}

async function fromFfmpegInstaller(): Promise<string | null> {
  try {
    const installer = (await import('@ffmpeg-installer/ffmpeg')).default;
    return (await isExecutableFile(installer.path)) ? installer.path : null;
  } catch {
    // It throws (a string) on platforms it has no binary for.
    return null;
  }
}

/** First executable `name` in the PATH directories, as a shell would find it. */
async function findOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return null;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

interface ProbeOptions extends Located {
  /** Where PATH is read from when looking for ffprobe. */
  env?: NodeJS.ProcessEnv;
}

/** Asks the binary at `path` for its version and capabilities. */
async function probeFfmpeg({ path: binary, source, env = process.env }: ProbeOptions): Promise<FfmpegInfo> {
  const ask = async (...args: string[]): Promise<string> => {
    try {
      const options = { timeout: PROBE_TIMEOUT_MS, maxBuffer: 8 * 1024 * 1024 };
      const { stdout } = await run(binary, ['-hide_banner', ...args], options);
      return stdout;
    } catch (err) {
      throw new Error(`${binary} ${args.join(' ')} failed: ${(err as Error).message}`);
    }
  };
  const [version, encoders, muxers, filters, hls] = await Promise.all([
    ask('-version'),
    ask('-encoders'),
    ask('-muxers'),
    ask('-filters'),
    ask('-h', 'muxer=hls'),
  ]);
  return {
    path: binary,
    source,
    ...parseVersion(version),
    encoders: parseEncoders(encoders),
    muxers: parseMuxers(muxers),
    filters: parseFilters(filters),
    hlsOptions: parseMuxerOptions(hls),
    ffprobePath: await findFfprobe(binary, env),
  };
}

async function findFfprobe(ffmpegPath: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  const beside = path.join(path.dirname(ffmpegPath), 'ffprobe');
  return (await isExecutableFile(beside)) ? beside : findOnPath('ffprobe', env);
}
