// Which external programs the bench can use here, and what to install when one is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { INSTALL_HINT, nginxInstalled } from './systems/nginx.js';

/** The Chromium launchBrowser (test/browser/helpers/browser.ts) starts. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Tools {
  /** Absolute path of the FFmpeg every system and the publisher use. */
  ffmpegPath: string;
  nginx: boolean;
  wrk: boolean;
  chromium: boolean;
  /** What is missing and how to get it. */
  notes: string[];
}

function onPath(command: string): string | null {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const found = result.stdout.trim();
  return result.status === 0 && found !== '' ? found : null;
}

export function findTools(): Tools {
  const ffmpegPath = process.env.FFMPEG_PATH ?? onPath('ffmpeg');
  if (!ffmpegPath) throw new Error('ffmpeg not found: apt-get install -y ffmpeg (or set FFMPEG_PATH)');
  const nginx = nginxInstalled();
  const wrk = onPath('wrk') !== null;
  const chromium = existsSync(CHROMIUM_PATH);
  const notes: string[] = [];
  if (!nginx) notes.push(`nginx or its RTMP module is missing: measuring shopcast alone. Install: ${INSTALL_HINT}`);
  if (!wrk) notes.push(`wrk is missing: HTTP figures skipped. Install: ${INSTALL_HINT}`);
  if (!chromium) notes.push(`${CHROMIUM_PATH} is missing: player latency skipped. Install: apt-get install -y chromium`);
  return { ffmpegPath, nginx, wrk, chromium, notes };
}
