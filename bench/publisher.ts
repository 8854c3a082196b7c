// The one publisher every system gets (the e2e OBS stand-in, i.e. the reference README's command), also recording
// exactly what it sends, so renditions can be compared with their source.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { ProgressParser } from '../src/transcode/progress.js';
import { publisherArgs, type PublisherOptions } from '../test/e2e/helpers/publisher.js';
import { pictureClockGraph } from './picture-clock.js';
import { onCleanup, stopChild } from './processes.js';
import { publishClockOriginMs, type ProgressReport } from './publish-clock.js';

/** The publisher's picture: every figure that needs the source's size or rate reads it here. */
export const SOURCE = { width: 1280, height: 720, fps: 30, gopS: 2, bitrateKbps: 2500 } as const;

/** Progress reports on stdout ten times a second: where the publisher's media clock stands (publish-clock.ts). */
const PROGRESS_ARGS = ['-progress', 'pipe:1', '-stats_period', '0.1'];

/**
 * The publisher's arguments with its single FLV output replaced by a tee of two identical FLV outputs: the RTMP URL
 * and a recording. Packets are encoded once and written twice, so the recording is bit for bit what the system got.
 * The tee muxer needs explicit maps and cannot tell the encoder about FLV's global headers, hence the flag (which FLV
 * output sets by itself). Progress reports change nothing in the stream.
 */
export function recordingPublisherArgs(opts: PublisherOptions & { recording: string }): string[] {
  const args = publisherArgs(opts);
  const output = args.slice(-3);
  if (output[0] !== '-f' || output[1] !== 'flv' || output[2] !== opts.url) {
    throw new Error(`unexpected publisher output ${output.join(' ')}: expected -f flv ${opts.url}`);
  }
  const maps = opts.audio === false ? ['-map', '0:v'] : ['-map', '0:v', '-map', '1:a'];
  return [
    ...args.slice(0, -3),
    ...PROGRESS_ARGS,
    ...maps,
    ...['-flags', '+global_header', '-f', 'tee', `[f=flv:onfail=abort]${opts.url}|[f=flv]${opts.recording}`],
  ];
}

export interface RunningPublisher {
  /** Wall clock (ms) just before FFmpeg was spawned: T0 of every figure. */
  t0Ms: number;
  recording: string;
  /** Wall clock (ms) of the publisher's media time 0 (≥ T0), null before its first progress report. */
  clockOriginMs(): number | null;
  /** Stops publishing; the recording stays readable. */
  stop(): Promise<void>;
}

export interface StartPublisherOptions {
  ffmpegPath: string;
  url: string;
  recording: string;
  /** FFmpeg's own messages (errors only) go here. */
  logFile: string;
  /** Keyframe interval, if not the source's usual one. */
  gopS?: number;
}

export function startPublisher({ ffmpegPath, url, recording, logFile, gopS = SOURCE.gopS }: StartPublisherOptions): RunningPublisher {
  const { width, height, fps, bitrateKbps } = SOURCE;
  const picture = pictureClockGraph(SOURCE);
  const args = recordingPublisherArgs({ url, recording, width, height, fps, gopS, bitrateKbps, picture });
  const t0Ms = Date.now();
  const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.pipe(createWriteStream(logFile));
  const reports: ProgressReport[] = [];
  const parser = new ProgressParser(({ outTimeS }) => {
    if (outTimeS !== null) reports.push({ wallMs: Date.now(), outTimeS });
  });
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => parser.push(chunk));
  // SIGINT lets FFmpeg finish the recording's last packets cleanly.
  const stop = onCleanup('publisher', () => stopChild(child, { signal: 'SIGINT', timeoutMs: 3000 }));
  return { t0Ms, recording, clockOriginMs: () => publishClockOriginMs(reports), stop };
}
