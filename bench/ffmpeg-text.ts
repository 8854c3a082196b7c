// Reads the figures FFmpeg prints as text: the ssim filter's summary, the `time=` of its stats line; pure.

export interface SsimSummary {
  y: number;
  u: number;
  v: number;
  all: number;
  /** SSIM in dB as FFmpeg prints it (Infinity for identical pictures). */
  allDb: number;
}

const DB = '\\(([-\\d.]+|inf)\\)';

/** The `SSIM Y:... All:... (dB)` line the ssim filter logs when it closes (the last one if there are several). */
export function parseSsimSummary(stderr: string): SsimSummary | null {
  const pattern = new RegExp(`SSIM Y:([\\d.]+) ${DB} U:([\\d.]+) ${DB} V:([\\d.]+) ${DB} All:([\\d.]+) ${DB}`, 'g');
  const matches = [...stderr.matchAll(pattern)];
  const last = matches[matches.length - 1];
  if (!last) return null;
  const db = (text: string | undefined): number => (text === 'inf' ? Infinity : Number(text));
  return { y: Number(last[1]), u: Number(last[3]), v: Number(last[5]), all: Number(last[7]), allDb: db(last[8]) };
}

/** Output position in seconds from the last `time=HH:MM:SS.ss` of FFmpeg's stats lines, or null before any. */
export function lastStatsTimeS(stderr: string): number | null {
  const matches = [...stderr.matchAll(/time=(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/g)];
  const last = matches[matches.length - 1];
  if (!last) return null;
  const seconds = Number(last[2]) * 3600 + Number(last[3]) * 60 + Number(last[4]);
  return last[1] === '-' ? -seconds : seconds;
}

/** `ffmpeg version 5.1.9-0+deb12u1 Copyright ...` → `5.1.9-0+deb12u1`; `nginx version: nginx/1.22.1` → `1.22.1`. */
export function parseVersion(text: string): string | null {
  return /(?:ffmpeg version|nginx version: nginx\/)\s*(\S+)/.exec(text)?.[1] ?? null;
}
