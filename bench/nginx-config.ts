// Renders the reference nginx-rtmp setups from bench/reference/ templates, with the nginx-c ladder derived from
// shopcast's profile so both systems encode the same rungs the same way; pure.
import { videoEncoding } from '../src/transcode/ladder.js';
import type { Profile } from '../src/transcode/profile.js';

export interface Picture {
  width: number;
  height: number;
  fps: number;
}

export interface ReferenceRung {
  /** Suffix of the rendition's stream name (`<name>_720p`), as nginx-rtmp's hls_variant matches it. */
  suffix: string;
  width: number;
  height: number;
  fps: number;
  /** Output frame rate when the profile caps it below the source's, else null (FFmpeg keeps the source's). */
  fpsCap: number | null;
  videoBitrateKbps: number;
  maxrateKbps: number;
  bufsizeKbps: number;
  audioBitrateKbps: number;
  audioSampleRate: number;
  /** Sent as received (`-c:v copy -c:a copy`), as a careful nginx user writes the rung as tall as the source. */
  copy: boolean;
}

/**
 * Every profile rung at the source's aspect ratio (16:9 here). nginx-c encodes even the one as tall as the source, as
 * nginx-rtmp users' ladders do; `copyTop` copies that one instead (nginx-c-copy: the same work as shopcast's ladder).
 */
export function referenceLadder(profile: Profile, source: Picture, { copyTop = false }: { copyTop?: boolean } = {}): ReferenceRung[] {
  const aspect = source.width / source.height;
  return profile.rungs.map((rung) => {
    const height = rung.shortSide;
    const width = 2 * Math.round((height * aspect) / 2);
    const fps = Math.min(source.fps, rung.maxFps);
    const spec = { name: rung.name, width, height, fps, videoBitrateKbps: rung.videoBitrateKbps };
    const { maxrateKbps, bufsizeKbps } = videoEncoding(profile, spec);
    return {
      suffix: `_${rung.name}`,
      width,
      height,
      fps,
      fpsCap: fps < source.fps ? fps : null,
      videoBitrateKbps: rung.videoBitrateKbps,
      maxrateKbps,
      bufsizeKbps,
      // The low rungs' own audio rate, as shopcast encodes it: the same work on both sides.
      audioBitrateKbps: rung.audioBitrateKbps ?? profile.audio.bitrateKbps,
      audioSampleRate: profile.audio.sampleRate,
      copy: copyTop && height === source.height && fps === source.fps,
    };
  });
}

/** `hls_variant` lines: BANDWIDTH is video plus audio target, as in the shared reference. */
export function hlsVariantLines(ladder: readonly ReferenceRung[]): string {
  return ladder
    .map((rung) => {
      const bandwidth = (rung.videoBitrateKbps + rung.audioBitrateKbps) * 1000;
      return `            hls_variant ${rung.suffix} BANDWIDTH=${bandwidth},RESOLUTION=${rung.width}x${rung.height};`;
    })
    .join('\n');
}

export interface OutputOptions {
  profile: Profile;
  rtmpPort: number;
}

/** One FFmpeg output per rung, in the shared reference's style (`-s`, per-rung AAC), one shell line each. */
export function transcoderOutputLines(ladder: readonly ReferenceRung[], { profile, rtmpPort }: OutputOptions): string {
  return ladder
    .map((rung) => {
      const gop = String(Math.round(rung.fps * profile.segmentDurationS));
      const encode = [
        ...['-c:v', 'libx264', '-preset', profile.video.preset],
        ...(profile.video.tune ? ['-tune', profile.video.tune] : []),
        ...['-b:v', `${rung.videoBitrateKbps}k`, '-maxrate', `${rung.maxrateKbps}k`, '-bufsize', `${rung.bufsizeKbps}k`],
        ...['-s', `${rung.width}x${rung.height}`],
        ...(rung.fpsCap === null ? [] : ['-r', String(rung.fpsCap)]),
        ...['-g', gop, '-keyint_min', gop, '-sc_threshold', '0', '-pix_fmt', 'yuv420p'],
        ...['-c:a', 'aac', '-b:a', `${rung.audioBitrateKbps}k`, '-ar', String(rung.audioSampleRate)],
      ];
      const args = [
        ...['-map', '0:v', '-map', '0:a'],
        ...(rung.copy ? ['-c:v', 'copy', '-c:a', 'copy'] : encode),
        ...['-f', 'flv', `"rtmp://127.0.0.1:${rtmpPort}/hls/\${name}${rung.suffix}"`],
      ];
      return `  ${args.join(' ')} \\`;
    })
    .join('\n');
}

/** Replaces every `@KEY@` in `template`; a placeholder without a value, or a value without a placeholder, throws. */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  const used = new Set<string>();
  const filled = template.replace(/@([A-Z_]+)@/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`template placeholder @${key}@ has no value`);
    used.add(key);
    return value;
  });
  const unused = Object.keys(values).filter((key) => !used.has(key));
  if (unused.length > 0) throw new Error(`template has no placeholder for ${unused.map((k) => `@${k}@`).join(', ')}`);
  return filled;
}
