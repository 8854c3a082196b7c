// The versions a result depends on, recorded beside the figures.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../test/e2e/helpers/shopcast.js';
import { parseVersion } from './ffmpeg-text.js';
import { NGINX_BIN } from './systems/nginx.js';

function output(command: string, args: string[]): string | null {
  try {
    // nginx -v and wrk -v print on stderr; wrk -v exits 1.
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
  } catch (err) {
    const failed = err as { stdout?: string; stderr?: string };
    const text = `${failed.stdout ?? ''}${failed.stderr ?? ''}`;
    return text === '' ? null : text;
  }
}

function withStderr(command: string, args: string[]): string | null {
  try {
    const result = execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return result;
  } catch (err) {
    return output(command, args);
  }
}

export interface Versions {
  node: string;
  ffmpeg: string | null;
  nginx: string | null;
  wrk: string | null;
  chromium: string | null;
  hlsJs: string | null;
  shopcast: string | null;
}

export function collectVersions(ffmpegPath: string): Versions {
  const sha = output('git', ['rev-parse', 'HEAD'])?.trim() ?? null;
  const dirty = (output('git', ['status', '--porcelain', '--untracked-files=no']) ?? '').trim() !== '';
  const hlsPackage = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', 'hls.js', 'package.json'), 'utf8')) as { version?: string };
  return {
    node: process.version,
    ffmpeg: parseVersion(output(ffmpegPath, ['-version']) ?? ''),
    nginx: parseVersion(withStderr(NGINX_BIN, ['-v']) ?? ''),
    wrk: /wrk (\S+)/.exec(output('wrk', ['-v']) ?? '')?.[1] ?? null,
    chromium: output('/usr/bin/chromium', ['--version'])?.trim() ?? null,
    hlsJs: hlsPackage.version ?? null,
    shopcast: sha === null ? null : `${sha}${dirty ? '-dirty' : ''}`,
  };
}
