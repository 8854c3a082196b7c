// Reads shopcast's public HLS the way a player or CDN does: over HTTP, parsed with a standard parser.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import HLS from 'hls-parser';
import { waitFor, type Shopcast } from './shopcast.js';

const run = promisify(execFile);

export function parseMaster(text: string): HLS.types.MasterPlaylist {
  const playlist = HLS.parse(text);
  if (!playlist.isMasterPlaylist) throw new Error('expected a master playlist');
  return playlist as HLS.types.MasterPlaylist;
}

/**
 * A media playlist's whole segments. hls-parser models the parts of the segment being written (Low-Latency HLS) as a
 * last segment without URI or duration; tests that check whole segments leave it out (test/e2e/low-latency.test.ts
 * checks the parts).
 */
export function parseMedia(text: string): HLS.types.MediaPlaylist {
  const playlist = HLS.parse(text);
  if (playlist.isMasterPlaylist) throw new Error('expected a media playlist');
  const media = playlist as HLS.types.MediaPlaylist;
  media.segments = media.segments.filter((segment) => segment.uri !== undefined && segment.uri !== '');
  return media;
}

export interface ProbedVideo {
  width: number;
  height: number;
  codec: string;
  frames: number;
  hasAudio: boolean;
}

/** A stream ffprobe found, frames counted by decoding. */
export interface ProbedStream {
  type: string;
  codec: string;
  width: number;
  height: number;
  frames: number;
}

/** Decodes an init + media segment pair (as fetched over HTTP) with ffprobe; counting frames forces a real decode. */
export async function probeStreams(init: Buffer, segment: Buffer, workFile: string): Promise<ProbedStream[]> {
  await writeFile(workFile, Buffer.concat([init, segment]));
  const { stdout } = await run('ffprobe', [
    '-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,codec_name,width,height,nb_read_frames',
    '-of', 'json', workFile,
  ]);
  const streams = (JSON.parse(stdout) as { streams: Array<Record<string, string | number>> }).streams;
  return streams.map((s) => ({
    type: String(s.codec_type),
    codec: String(s.codec_name),
    width: Number(s.width ?? 0),
    height: Number(s.height ?? 0),
    frames: Number(s.nb_read_frames),
  }));
}

/** The video of an init + media segment pair, decoded, and whether it carries audio too. */
export async function probeSegment(init: Buffer, segment: Buffer, workFile: string): Promise<ProbedVideo> {
  const streams = await probeStreams(init, segment, workFile);
  const video = streams.find((s) => s.type === 'video');
  if (!video) throw new Error(`no video stream in ${workFile}`);
  return { width: video.width, height: video.height, codec: video.codec, frames: video.frames, hasAudio: streams.some((s) => s.type === 'audio') };
}

/** The channel's master playlist, once shopcast serves it (every rung lists a segment). */
export async function waitForMaster(sc: Shopcast, slug = 'demo'): Promise<HLS.types.MasterPlaylist> {
  const text = await waitFor('master playlist', async () => {
    const res = await sc.get(`/live/${slug}/master.m3u8`);
    return res.ok ? res.text() : undefined;
  }, 20_000);
  return parseMaster(text);
}
