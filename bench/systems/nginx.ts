// The nginx-rtmp reference setups as systems under test: config and wrapper script rendered into a private prefix,
// nginx run by hand (never the system service) on free loopback ports.
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from '../../test/e2e/helpers/shopcast.js';
import type { Profile } from '../../src/transcode/profile.js';
import { lastStatsTimeS } from '../ffmpeg-text.js';
import { parseCmdline } from '../procfs.js';
import { fillTemplate, hlsVariantLines, referenceLadder, transcoderOutputLines } from '../nginx-config.js';
import { childrenOf, identify, killIfAlive, onCleanup, stopChild, type ProcessIdentity } from '../processes.js';
import { SOURCE } from '../publisher.js';
import type { StartSystemOptions, SystemUnderTest, TranscoderProbe } from './system.js';

export const NGINX_BIN = '/usr/sbin/nginx';
export const RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';
/** What a missing reference needs. */
export const INSTALL_HINT = 'apt-get install -y nginx libnginx-mod-rtmp wrk';
/** The user the reference configs run workers as (when the bench runs as root). */
const WORKER_USER = 'www-data';
const TEMPLATES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'reference');
/** Stream name published to nginx (it has no keys). */
const STREAM = 'bench';
/** How much of the transcoder's log is read for its latest stats line. */
const LOG_TAIL_BYTES = 4096;

export function nginxInstalled(): boolean {
  return existsSync(NGINX_BIN) && existsSync(RTMP_MODULE);
}

export interface StartNginxOptions extends StartSystemOptions {
  /** nginx-a remuxes; nginx-c encodes the ladder; nginx-c-copy copies the rung as tall as the source. */
  name: 'nginx-a' | 'nginx-c' | 'nginx-c-copy';
  profile: Profile;
}

interface WorkerUser {
  uid: number;
  gid: number;
}

/** As root, nginx switches workers to www-data, which must be able to write the prefix; otherwise no `user` line. */
function workerUser(): WorkerUser | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string): number => Number(execFileSync('id', [flag, WORKER_USER], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function giveTo(user: WorkerUser | null, ...paths: string[]): void {
  for (const p of paths) {
    chmodSync(p, 0o755);
    if (user) chownSync(p, user.uid, user.gid);
  }
}

export async function startNginxSystem({ name, runDir, ffmpegPath, profile }: StartNginxOptions): Promise<SystemUnderTest> {
  const variant = name === 'nginx-a' ? 'a' : 'c';
  const template = `nginx-${variant}`;
  const prefix = path.join(runDir, name);
  const [rtmpPort, httpPort] = [await freePort(), await freePort()];
  const user = workerUser();
  const dirs = ['hls', 'tmp'].map((dir) => path.join(prefix, dir));
  for (const dir of dirs) mkdirSync(dir, { recursive: true });
  const ladder = referenceLadder(profile, SOURCE, { copyTop: name === 'nginx-c-copy' });
  const config = fillTemplate(readFileSync(path.join(TEMPLATES, `${template}.conf`), 'utf8'), {
    RTMP_MODULE,
    USER: user ? `user ${WORKER_USER} ${WORKER_USER};` : '',
    PREFIX: prefix,
    RTMP_PORT: String(rtmpPort),
    HTTP_PORT: String(httpPort),
    ...(variant === 'c' ? { HLS_VARIANTS: hlsVariantLines(ladder) } : {}),
  });
  const configFile = path.join(prefix, 'nginx.conf');
  writeFileSync(configFile, config);
  const transcoderLog = path.join(prefix, `transcode-${STREAM}.log`);
  if (variant === 'c') {
    const script = fillTemplate(readFileSync(path.join(TEMPLATES, 'transcode.sh'), 'utf8'), {
      FFMPEG: ffmpegPath,
      RTMP_PORT: String(rtmpPort),
      OUTPUTS: transcoderOutputLines(ladder, { profile, rtmpPort }),
      PREFIX: prefix,
    });
    writeFileSync(path.join(prefix, 'transcode.sh'), script, { mode: 0o755 });
  }
  // mkdtemp folders are private: workers must be able to reach the prefix, and write in it (HLS, transcoder log).
  chmodSync(runDir, 0o755);
  giveTo(user, prefix, ...dirs);

  const errorLog = path.join(prefix, 'error.log');
  const master = spawn(NGINX_BIN, ['-c', configFile, '-p', `${prefix}/`, '-e', errorLog], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = createWriteStream(path.join(prefix, 'nginx.out'));
  master.stdout.pipe(out);
  master.stderr.pipe(out);
  const spawned = new Map<number, ProcessIdentity>();
  const remember = (pid: number): void => {
    const identity = identify(pid);
    if (identity && !spawned.has(pid)) spawned.set(pid, identity);
  };
  const stop = onCleanup(name, async () => {
    // Fast shutdown: nginx-rtmp kills its exec children itself; whatever is left is killed by identity.
    await stopChild(master, { signal: 'SIGTERM', timeoutMs: 5000 });
    for (const identity of spawned.values()) killIfAlive(identity);
  });
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const exited = new Promise<boolean>((resolve) => master.once('exit', () => resolve(false)));
  const started = await Promise.race([
    waitFor(`${name} HTTP`, async () => (await fetch(`${httpUrl}/hls/`)).status > 0, 10_000, 50).then(() => true),
    exited,
  ]);
  if (!started) {
    await stop();
    throw new Error(`${name} exited during start; see ${errorLog}:\n${readFileSync(errorLog, 'utf8').slice(-2000)}`);
  }

  const worker = (): number | null => {
    if (master.pid === undefined) return null;
    const found = childrenOf(master.pid).find((child) => child.comm === 'nginx' && isWorker(child.pid));
    if (found) remember(found.pid);
    return found?.pid ?? null;
  };
  return {
    name,
    publishUrl: `rtmp://127.0.0.1:${rtmpPort}/live/${STREAM}`,
    masterUrl: `${httpUrl}/hls/${STREAM}.m3u8`,
    httpUrl,
    lowLatency: false,
    dashUrl: null,
    transcodes: variant === 'c',
    gatewayPids: () => {
      const pid = worker();
      return pid === null ? [] : [pid];
    },
    transcoder: async (): Promise<TranscoderProbe | null> => {
      const workerPid = variant === 'c' ? worker() : null;
      if (workerPid === null) return null;
      const ffmpeg = childrenOf(workerPid).find((child) => child.comm === 'ffmpeg' && child.state !== 'Z');
      if (!ffmpeg) return null;
      remember(ffmpeg.pid);
      return { pid: ffmpeg.pid, outTimeS: lastStatsTimeS(await tail(transcoderLog, LOG_TAIL_BYTES)) };
    },
    describe: async () => ({ prefix, config: configFile, ladder, httpUrl, rtmpPort }),
    stop,
  };
}

/** nginx names its processes through their command line: `nginx: worker process`. */
function isWorker(pid: number): boolean {
  try {
    return parseCmdline(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))[0]?.startsWith('nginx: worker process') === true;
  } catch {
    return false;
  }
}

/** The last `bytes` of a file ('' if it does not exist yet). */
async function tail(file: string, bytes: number): Promise<string> {
  const handle = await open(file, 'r').catch(() => null);
  if (!handle) return '';
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer.toString('latin1');
  } finally {
    await handle.close();
  }
}
