// HTTP throughput of a live system's origin with wrk: its top rung's media playlist, then its newest segment.
import { spawn } from 'node:child_process';
import type { HttpResult, WrkTarget } from '../model.js';
import { readPlaylist } from '../playlist.js';
import { onCleanup, stopChild } from '../processes.js';
import { parseWrk, wrkArgs } from '../wrk.js';
import { fetchText } from './fetch.js';

const WRK_BIN = 'wrk';
/** The load the shared reference figures were measured with. */
const THREADS = 2;
const CONNECTIONS = 50;

async function runWrk(url: string, durationS: number): Promise<WrkTarget> {
  const child = spawn(WRK_BIN, wrkArgs({ url, threads: THREADS, connections: CONNECTIONS, durationS }), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = onCleanup('wrk', () => stopChild(child, { signal: 'SIGINT', timeoutMs: 2000 }));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  }).finally(stop);
  if (code !== 0) throw new Error(`wrk ${url} exited with ${code}: ${stderr || stdout}`);
  return { url, ...parseWrk(stdout) };
}

export interface HttpLoadOptions {
  /** The top rung's media playlist. */
  playlistUrl: string;
  durationS: number;
}

export async function measureHttp({ playlistUrl, durationS }: HttpLoadOptions): Promise<HttpResult> {
  const errors: string[] = [];
  const attempt = async (what: string, run: () => Promise<WrkTarget>): Promise<WrkTarget | null> => {
    try {
      const result = await run();
      if (result.non2xx > 0) errors.push(`${what}: ${result.non2xx} of ${result.requests} answers were not 2xx/3xx`);
      return result;
    } catch (err) {
      errors.push(`${what}: ${(err as Error).message}`);
      return null;
    }
  };
  const playlist = await attempt('playlist', () => runWrk(playlistUrl, durationS));
  const segment = await attempt('segment', async () => {
    const text = await fetchText(playlistUrl);
    const parsed = text === null ? null : readPlaylist(text, playlistUrl);
    const newest = parsed?.kind === 'media' ? parsed.segments[parsed.segments.length - 1] : undefined;
    if (!newest) throw new Error(`no segment listed in ${playlistUrl}`);
    return runWrk(newest.url, durationS);
  });
  return { playlist, segment, errors };
}
