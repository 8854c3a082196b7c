// A real restream destination: Debian's nginx with the RTMP module recording every publish it accepts, and with
// `tls`, nginx's stream module terminating RTMPS in front of it (a self-signed certificate for `localhost`). Each
// receiver is its own nginx process, so a test can kill one and keep another.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { selfSignedCertificate } from './certificate.js';
import { freePort, waitFor } from './shopcast.js';

const run = promisify(execFile);
const NGINX = '/usr/sbin/nginx';
const RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';
const STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

export interface RtmpReceiver {
  /** `rtmp://127.0.0.1:<port>/live` (also there with `tls`: the port the TLS proxy forwards to). */
  rtmpUrl: string;
  /** With `tls`: `rtmps://localhost:<port>/live`. */
  rtmpsUrl: string | null;
  /** PEM of the self-signed certificate an RTMPS client must trust (empty without `tls`). */
  ca: string;
  caFile: string;
  /** Recordings of publishes on `key`, oldest first (one per publish: nginx names them `<key>-<unix time>.flv`). */
  recordings(key: string): string[];
  /** SIGKILL: the receiver vanishes mid-stream, as a crashed platform ingest would. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and folder. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface RecordedMedia {
  codecs: string[];
  /** First to last video frame, plus one frame. */
  videoDurationS: number;
  /** Pictures (the sequence header is extradata to ffprobe, not a packet). */
  videoFrames: number;
  /** Of the video. */
  height: number;
}

export async function startRtmpReceiver(opts: { name: string; tls?: boolean }): Promise<RtmpReceiver> {
  const modules = opts.tls ? [RTMP_MODULE, STREAM_MODULE] : [RTMP_MODULE];
  const missing = [NGINX, ...modules].filter((file) => !existsSync(file));
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')}: run npm run setup`);
  const dir = mkdtempSync(path.join(tmpdir(), `shopcast-receiver-${opts.name}-`));
  const recordDir = path.join(dir, 'record');
  mkdirSync(recordDir);
  // nginx may write as another user than the one running the test.
  chmodSync(dir, 0o755);
  chmodSync(recordDir, 0o777);
  const rtmpPort = await freePort();
  const tlsPort = opts.tls ? await freePort() : 0;
  const certificate = opts.tls ? selfSignedCertificate(dir, 'localhost') : null;
  const configFile = path.join(dir, 'nginx.conf');
  writeFileSync(configFile, `
${modules.map((module) => `load_module ${module};`).join('\n')}
daemon off;
# One process: killing it kills the whole receiver.
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 64; }
rtmp {
  server {
    listen 127.0.0.1:${rtmpPort};
    application live { live on; record all; record_path ${recordDir}; record_unique on; }
  }
}
${certificate ? `stream { server { listen 127.0.0.1:${tlsPort} ssl; ssl_certificate ${certificate.cert}; ssl_certificate_key ${certificate.key}; proxy_pass 127.0.0.1:${rtmpPort}; } }` : ''}
`);
  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    const started = spawn(NGINX, ['-c', configFile, '-p', `${dir}/`, '-e', path.join(dir, 'error.log')], { stdio: 'ignore' });
    child = started;
    const exited = new Promise<false>((resolve) => started.once('exit', () => resolve(false)));
    const ports = [rtmpPort, ...(tlsPort ? [tlsPort] : [])];
    const listening = waitFor('nginx to listen', async () => (await Promise.all(ports.map(accepts))).every(Boolean), 10_000, 50).then(() => true);
    if (!(await Promise.race([listening, exited]))) throw new Error(`nginx exited during start:\n${readFileSync(path.join(dir, 'error.log'), 'utf8').slice(-2000)}`);
  };
  const signal = async (name: NodeJS.Signals): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(name);
    await exited;
  };
  await start();
  const ca = certificate ? readFileSync(certificate.cert, 'utf8') : '';
  return {
    rtmpUrl: `rtmp://127.0.0.1:${rtmpPort}/live`,
    rtmpsUrl: opts.tls ? `rtmps://localhost:${tlsPort}/live` : null,
    ca,
    caFile: certificate?.cert ?? '',
    recordings: (key) =>
      readdirSync(recordDir)
        .filter((file) => file.startsWith(`${key}-`) && file.endsWith('.flv'))
        .map((file) => path.join(recordDir, file))
        .sort(),
    kill: () => signal('SIGKILL'),
    restart: start,
    stop: async () => {
      await signal('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The one recording of `key` once it stopped growing (nginx writes as it receives). */
export async function settledRecording(receiver: RtmpReceiver, key: string): Promise<string> {
  const [file] = await waitFor(`a recording of ${key}`, () => {
    const files = receiver.recordings(key);
    return files.length === 1 ? files : false;
  }, 10_000, 100);
  return file!;
}

/** Waits until `file` stops growing (nginx writes as it receives), then reads its codecs and video duration. */
export async function probeRecording(file: string): Promise<RecordedMedia> {
  let last = -1;
  await waitFor(`the recording ${file}`, () => {
    const size = statSync(file).size;
    const settled = size > 0 && size === last;
    last = size;
    return settled;
  }, 15_000, 500);
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,height:packet=codec_type,pts_time', '-of', 'json', file]);
  const parsed = JSON.parse(stdout) as { streams: { codec_name: string; height?: number }[]; packets: { codec_type: string; pts_time: string }[] };
  const videoTimes = parsed.packets.filter((p) => p.codec_type === 'video').map((p) => Number(p.pts_time));
  return {
    codecs: parsed.streams.map((s) => s.codec_name).sort(),
    height: parsed.streams.find((s) => s.height !== undefined)?.height ?? 0,
    videoDurationS: videoTimes.length === 0 ? 0 : Math.max(...videoTimes) - Math.min(...videoTimes) + 1 / 30,
    videoFrames: videoTimes.length,
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
