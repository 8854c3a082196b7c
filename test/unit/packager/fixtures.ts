// Shared fixtures of the packager tests: packager options, a two-rung ladder and FFmpeg-style private playlists.
import path from 'node:path';
import { pino } from 'pino';
import type { Ladder, Rung } from '../../../src/media.js';
import type { PackagerOptions } from '../../../src/packager/packager.js';

/** A packager on `root` (media and state below it) with a short window, no grace and every slug a channel. */
export function packagerOptions(bus: PackagerOptions['bus'], root: string, opts: Partial<PackagerOptions> = {}): PackagerOptions {
  return {
    bus,
    mediaDir: path.join(root, 'media'),
    stateDir: path.join(root, 'state'),
    windowSegments: 4,
    segmentGraceS: 0,
    reconnectWindowS: 30,
    isChannel: () => true,
    log: pino({ level: 'silent' }),
    ...opts,
  };
}

export function rung(name: string, width: number, height: number, kbps: number): Rung {
  return {
    name,
    passthrough: false,
    width,
    height,
    fps: 30,
    videoBitrateKbps: kbps,
    audio: { copy: false, bitrateKbps: 128 },
    codecs: 'avc1.64001f,mp4a.40.2',
    bandwidth: (kbps + 128) * 1100,
    averageBandwidth: (kbps + 128) * 1000,
  };
}

export function ladder(): Ladder {
  return { profile: 'default', segmentDurationS: 2, rungs: [rung('360p', 640, 360, 800), rung('180p', 320, 180, 300)] };
}

/** The playlist FFmpeg's HLS muxer writes for a rung: `first` is its media sequence, then one entry per duration. */
export function ffmpegPlaylist(opts: {
  first: number;
  durations: number[];
  initFile?: string;
  ended?: boolean;
}): string {
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    '#EXT-X-TARGETDURATION:2',
    `#EXT-X-MEDIA-SEQUENCE:${opts.first}`,
    `#EXT-X-MAP:URI="${opts.initFile ?? 'init_0.mp4'}"`,
  ];
  opts.durations.forEach((durationS, i) => lines.push(`#EXTINF:${durationS.toFixed(6)},`, `seg${opts.first + i}.m4s`));
  if (opts.ended === true) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}
