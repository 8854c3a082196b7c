// An OBS stand-in: a real FFmpeg publishing a lavfi test picture (and tone) over RTMP in real time.
import { spawn, type ChildProcess } from 'node:child_process';

export interface PublisherOptions {
  url: string;
  width?: number;
  height?: number;
  fps?: number;
  /** Keyframe interval in seconds. */
  gopS?: number;
  audio?: boolean;
  bitrateKbps?: number;
  durationS?: number;
  /** The lavfi graph of the picture, instead of plain testsrc2 (the bench burns a frame clock into it). */
  picture?: string;
}

export interface Publisher {
  process: ChildProcess;
  startedAtMs: number;
  /** What FFmpeg printed on stderr (errors only: it runs with -loglevel error), the last 16 KiB. */
  stderr(): string;
  stop(): Promise<void>;
  exited: Promise<number | null>;
}

export function publisherArgs(opts: PublisherOptions): string[] {
  const { width = 1280, height = 720, fps = 30, gopS = 2, audio = true, bitrateKbps = 2500 } = opts;
  const gop = String(Math.round(fps * gopS));
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-re',
    '-f', 'lavfi', '-i', opts.picture ?? `testsrc2=size=${width}x${height}:rate=${fps}`,
    ...(audio ? ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'] : []),
    ...(opts.durationS ? ['-t', String(opts.durationS)] : []),
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-b:v', `${bitrateKbps}k`,
    '-g', gop, '-keyint_min', gop, '-sc_threshold', '0', '-pix_fmt', 'yuv420p',
    ...(audio ? ['-c:a', 'aac', '-b:a', '128k', '-ar', '48000'] : []),
    '-f', 'flv', opts.url,
  ];
}

export function publish(opts: PublisherOptions): Publisher {
  const child = spawn('ffmpeg', publisherArgs(opts), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-16 * 1024);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    process: child,
    startedAtMs: Date.now(),
    stderr: () => stderr,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
