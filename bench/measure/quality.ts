// Picture quality of each rung: a few consecutive segments fetched over HTTP while live, later located in the
// publisher's recording by content and scored with FFmpeg's SSIM filter after scaling back to the source's size.
import path from 'node:path';
import type { QualityResult, RungInfo } from '../model.js';
import { newestContinuous, readPlaylist } from '../playlist.js';
import { SOURCE } from '../publisher.js';
import { locateClip, type GrayVideo } from '../frame-match.js';
import { decodeFingerprints, measureSsim } from '../media-files.js';
import { downloadSegments, fetchText, safeName } from './fetch.js';

/** Frames matched one by one to place a clip (odd: the median is a frame). */
export const PROBE_FRAMES = 15;

export interface QualityClip {
  rung: RungInfo;
  /** Null when the clip could not be fetched (error says why). */
  file: string | null;
  fetchedAtMs: number;
  msns: number[];
  error: string | null;
}

export interface FetchClipsOptions {
  rungs: readonly RungInfo[];
  segments: number;
  dir: string;
}

export async function fetchQualityClips({ rungs, segments, dir }: FetchClipsOptions): Promise<QualityClip[]> {
  return Promise.all(
    rungs.map(async (rung): Promise<QualityClip> => {
      const fetchedAtMs = Date.now();
      try {
        const text = await fetchText(rung.url);
        const playlist = text === null ? null : readPlaylist(text, rung.url);
        if (playlist?.kind !== 'media') throw new Error(`no media playlist at ${rung.url}`);
        const picked = newestContinuous(playlist.segments, segments);
        const file = path.join(dir, `quality-${safeName(rung.label)}${picked[0]?.mapUrl ? '.mp4' : '.ts'}`);
        await downloadSegments(picked, file);
        return { rung, file, fetchedAtMs, msns: picked.map((s) => s.msn), error: null };
      } catch (err) {
        return { rung, file: null, fetchedAtMs, msns: [], error: (err as Error).message };
      }
    }),
  );
}

export interface ScoreClipsOptions {
  ffmpegPath: string;
  clips: readonly QualityClip[];
  /** Fingerprints and file of the publisher's recording. */
  source: GrayVideo;
  recording: string;
  t0Ms: number;
}

/** Scores clips one after the other: FFmpeg's SSIM at 720p is heavy, and the machine is shared. */
export async function scoreQualityClips({ ffmpegPath, clips, source, recording, t0Ms }: ScoreClipsOptions): Promise<QualityResult[]> {
  const results: QualityResult[] = [];
  for (const clip of clips) {
    const base = { rung: clip.rung.label, height: clip.rung.height };
    if (!clip.file) {
      results.push({ ...base, ssim: null, sourceFrame: null, frames: 0, agreeing: null, compared: null, error: clip.error });
      continue;
    }
    try {
      const fingerprints = await decodeFingerprints({
        ffmpegPath,
        file: clip.file,
        sourceWidth: SOURCE.width,
        sourceHeight: SOURCE.height,
      });
      // The clip was fetched at fetchedAtMs: nothing in it can have been published later.
      const lastSourceFrame = Math.ceil(((clip.fetchedAtMs - t0Ms) / 1000) * SOURCE.fps);
      const located = locateClip({ source, probe: fingerprints, probeFrames: PROBE_FRAMES, lastSourceFrame });
      if (!located || located.offset < 0) throw new Error('clip could not be located in the recording');
      const frames = Math.min(fingerprints.frames.length, source.frames.length - located.offset);
      const ssim = await measureSsim({
        ffmpegPath,
        clip: clip.file,
        source: recording,
        sourceFrame: located.offset,
        frames,
        sourceWidth: SOURCE.width,
        sourceHeight: SOURCE.height,
        sourceFps: SOURCE.fps,
      });
      results.push({
        ...base,
        ssim,
        sourceFrame: located.offset,
        frames,
        agreeing: located.agreeing,
        compared: located.compared,
        error: null,
      });
    } catch (err) {
      results.push({ ...base, ssim: null, sourceFrame: null, frames: 0, agreeing: null, compared: null, error: (err as Error).message });
    }
  }
  return results;
}
