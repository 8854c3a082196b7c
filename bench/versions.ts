// The versions a result depends on, recorded beside the figures.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../test/e2e/helpers/shopcast.js';
import { parseVersion } from './ffmpeg-text.js';
import { NGINX_BIN } from './systems/nginx.js';
import { CHROMIUM_PATH } from './tools.js';

/** stdout and stderr together (nginx -v and wrk -v answer on stderr, wrk -v exits 1), null if it cannot run. */
function output(command: string, args: string[]): string | null {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd: ROOT });
  return result.error ? null : `${result.stdout}${result.stderr}`;
}

export interface Versions {
  node: string;
  ffmpeg: string | null;
  nginx: string | null;
  wrk: string | null;
  chromium: string | null;
  hlsJs: string | null;
  /** Git commit, `-dirty` when tracked files differ from it. */
  shopcast: string | null;
  /** Newest compiled file of the build shopcast ran from (dist/). */
  shopcastBuild: string;
}

export function collectVersions(ffmpegPath: string, shopcastBuild: string): Versions {
  const sha = /^[0-9a-f]{40}/.exec(output('git', ['rev-parse', 'HEAD']) ?? '')?.[0] ?? null;
  const dirty = (output('git', ['status', '--porcelain', '--untracked-files=no']) ?? '').trim() !== '';
  const hlsPackage = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', 'hls.js', 'package.json'), 'utf8')) as {
    version?: string;
  };
  return {
    node: process.version,
    ffmpeg: parseVersion(output(ffmpegPath, ['-version']) ?? ''),
    nginx: parseVersion(output(NGINX_BIN, ['-v']) ?? ''),
    wrk: /wrk (\S+)/.exec(output('wrk', ['-v']) ?? '')?.[1] ?? null,
    chromium: /Chromium (\S+)/.exec(output(CHROMIUM_PATH, ['--version']) ?? '')?.[1] ?? null,
    hlsJs: hlsPackage.version ?? null,
    shopcast: sha === null ? null : `${sha}${dirty ? '-dirty' : ''}`,
    shopcastBuild,
  };
}
