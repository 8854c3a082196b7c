// Turns a planned ladder into the arguments of the one FFmpeg process that encodes every rung of a live stream.
import type { Ladder, Rung, SourceInfo, VideoSource } from '../media.js';
import { videoEncoding } from './ladder.js';
import type { Profile } from './profile.js';

export interface BuildArgsOptions {
  ladder: Ladder;
  source: SourceInfo;
  profile: Profile;
  /** Duration FFmpeg closes a fragment at (a part of a low-latency playlist); keyframes close one too. */
  partDurationS: number;
}

/** File descriptor of rung 0's output in the FFmpeg child; rung i writes to `FIRST_OUTPUT_FD + i`. */
export const FIRST_OUTPUT_FD = 3;

/** A source whose aspect ratio differs more than this from its rung's (a reconnect after rotating the phone) is
 * letterboxed rather than stretched. */
const ASPECT_TOLERANCE = 0.01;

/**
 * Reads FLV on stdin, decodes once, scales every encoded rung from one `split`, and writes each rung as fragmented MP4
 * to its own pipe: the packager cuts parts and segments out of the fragments. Every rung gets the same keyframe
 * instants, which close a fragment (frag_keyframe), so segments line up across rungs. Nothing but options appears on
 * the command line: it is visible to every local user.
 */
export function buildFfmpegArgs({ ladder, source, profile, partDurationS }: BuildArgsOptions): string[] {
  const video = source.video;
  if (!video) throw new Error('cannot transcode a source without video');
  const encoded = ladder.rungs.filter((rung) => !rung.passthrough);
  const forceKeyFrames = keyframesFollowSource(ladder) ? 'source' : `expr:gte(t,n_forced*${ladder.segmentDurationS})`;
  const args = [
    ...['-hide_banner', '-nostats', '-loglevel', 'warning', '-progress', 'pipe:1'],
    ...inputArgs(video, encoded.length > 0),
    ...(encoded.length > 0 ? ['-filter_complex', filterGraph(video, encoded)] : []),
  ];
  let encodedIndex = 0;
  ladder.rungs.forEach((rung, i) => {
    if (rung.passthrough) args.push('-map', '0:v:0', '-c:v', 'copy');
    else args.push('-map', `[v${encodedIndex++}]`, ...videoArgs({ profile, rung, forceKeyFrames }));
    if (rung.audio) args.push('-map', '0:a:0', ...audioArgs(profile, rung.audio));
    args.push(...fragmentedMp4Args(partDurationS), `pipe:${FIRST_OUTPUT_FD + i}`);
  });
  return args;
}

/**
 * Whether every rung keyframes where the source does: with a copied rung, the encoded ones take their keyframes from
 * the source (`-force_key_frames source`), so every rung cuts at the same frames; otherwise FFmpeg places them.
 */
export function keyframesFollowSource(ladder: Ladder): boolean {
  return ladder.rungs.some((rung) => rung.passthrough);
}

/**
 * FFmpeg closes a fragment at the first packet, of any track, at or past its fragment duration. Asked for 2% less than
 * the part duration (whole frames, see partDurationS), the video frame that completes the part gets there first: ten
 * frames at 30 fps (333 ms, or 333.3 with exact timestamps) pass 326.7 ms, while the audio needs a 16th AAC frame at
 * 48 kHz (341 ms) or a 15th at 44.1 kHz (348 ms). Asked for the exact duration, millisecond timestamps would take an
 * eleventh frame; asked for much less, the audio would cut parts short, which players take for broken ones.
 */
const FRAGMENT_SLACK = 0.98;

/**
 * One moof+mdat per part: a fragment closes at every keyframe and once it holds a part's duration of media, and is
 * written to the pipe as soon as it closes. No trailer: a live output never ends by choice.
 */
function fragmentedMp4Args(partDurationS: number): string[] {
  return [
    ...['-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof+skip_trailer'],
    ...['-frag_duration', String(Math.round(partDurationS * FRAGMENT_SLACK * 1_000_000)), '-flush_packets', '1'],
  ];
}

/** A source up to this many pixels per second decodes on one thread in real time with room to spare (720p30). */
const SINGLE_THREAD_DECODE_MAX_PIXEL_RATE = 1280 * 720 * 30 * 1.01;
/** Source frame rates within this share of a rung's are not re-timed. */
const FPS_TOLERANCE = 1.01;

/**
 * The feed starts with a header whose audio/video flags are true, then sequence headers and a keyframe, so probing
 * has what it needs at once. Two probes would still hold output back: frame-rate estimation (about 2 s; skipped, the
 * ladder knows the rate from the stream's metadata) and the analysis window, which video-only input sits out in full
 * (5 s by default, hence the cap). FFmpeg's frame-threaded H.264 decoder holds one frame per thread (about 55 ms
 * here), which every encoded rung and the segment close wait for; up to 720p30 one thread decodes fast enough.
 */
function inputArgs(video: VideoSource, decodes: boolean): string[] {
  const pixelRate = video.width * video.height * video.fps;
  const singleThread = decodes && pixelRate > 0 && pixelRate <= SINGLE_THREAD_DECODE_MAX_PIXEL_RATE;
  return [
    ...['-f', 'flv', '-fpsprobesize', '0', '-analyzeduration', '500000'],
    ...(singleThread ? ['-threads:v', '1'] : []),
    ...['-i', 'pipe:0'],
  ];
}

/**
 * `[0:v:0]split=N[s0]...;[s0]scale=W:H,setsar=1[v0];...` for the encoded rungs, in ladder order. A rung at most half
 * the size of another encoded rung is scaled from that rung's picture rather than the source's: scaling costs by the
 * input's pixels, which made the low rungs cost more to scale than to encode. `fps` is added only where a rung caps the
 * rate it is fed (or the rate is unknown): it holds every frame until the next one arrives, a frame of delay on every
 * segment close.
 */
function filterGraph(video: VideoSource, encoded: Rung[]): string {
  const parents = encoded.map((rung) => scaleParent(rung, encoded));
  const inputsOf = (parent: number | null): string[] => encoded.flatMap((_, i) => (parents[i] === parent ? [`[s${i}]`] : []));
  const fromSource = inputsOf(null);
  const chains = encoded.map((rung, i) => {
    const parent = parents[i] ?? null;
    const input = parent === null ? video : encoded[parent]!;
    const retime = !(input.fps > 0 && input.fps <= rung.fps * FPS_TOLERANCE);
    const children = inputsOf(i);
    const output = children.length === 0 ? `[v${i}]` : `,split=${children.length + 1}[v${i}]${children.join('')}`;
    return `[s${i}]${retime ? `fps=${rung.fps},` : ''}${scaleFilter(input, rung)},setsar=1${output}`;
  });
  return [`[0:v:0]split=${fromSource.length}${fromSource.join('')}`, ...chains].join(';');
}

/** The smallest encoded rung at least twice `rung`'s short side, whose picture `rung` is scaled from; null: the source. */
function scaleParent(rung: Rung, encoded: Rung[]): number | null {
  const shortSide = (r: Rung): number => Math.min(r.width, r.height);
  let parent: number | null = null;
  for (const [i, candidate] of encoded.entries()) {
    const bigEnough = shortSide(candidate) >= 2 * shortSide(rung);
    if (bigEnough && (parent === null || shortSide(candidate) < shortSide(encoded[parent]!))) parent = i;
  }
  return parent;
}

function scaleFilter(input: Size, rung: Rung): string {
  const size = `${rung.width}:${rung.height}`;
  const aspectChange = Math.abs((input.width / input.height) / (rung.width / rung.height) - 1);
  if (aspectChange <= ASPECT_TOLERANCE) return `scale=${size}`;
  return `scale=${size}:force_original_aspect_ratio=decrease,pad=${size}:(ow-iw)/2:(oh-ih)/2`;
}

interface Size {
  width: number;
  height: number;
}

interface VideoArgsOptions {
  profile: Profile;
  rung: Rung;
  forceKeyFrames: string;
}

/** Options of the output's one video stream. */
function videoArgs({ profile, rung, forceKeyFrames }: VideoArgsOptions): string[] {
  const { maxrateKbps, bufsizeKbps, level } = videoEncoding(profile, rung);
  const gop = Math.round(rung.fps * profile.segmentDurationS);
  // Keyframes come from force_key_frames alone: x264's own at `-g` frames could land a frame before a forced one
  // (millisecond timestamps), making a one-frame part. Its limit is two segments, a fallback only.
  const keyint = String(2 * gop);
  return [
    ...['-c:v', 'libx264', '-preset', profile.video.preset],
    ...(profile.video.tune ? ['-tune', profile.video.tune] : []),
    ...['-profile:v', 'high', '-level:v', String(level.idc), '-pix_fmt', 'yuv420p'],
    ...['-b:v', `${rung.videoBitrateKbps}k`, '-maxrate:v', `${maxrateKbps}k`, '-bufsize:v', `${bufsizeKbps}k`],
    ...['-g:v', keyint, '-keyint_min:v', String(gop), '-sc_threshold:v', '0', '-force_key_frames:v', forceKeyFrames],
  ];
}

/** Options of the output's one audio stream. */
function audioArgs(profile: Profile, audio: NonNullable<Rung['audio']>): string[] {
  if (audio.copy) return ['-c:a', 'copy'];
  return [
    ...['-c:a', 'aac', '-b:a', `${audio.bitrateKbps}k`],
    // FLV's millisecond timestamps jitter against codec frame sizes; resampling with async keeps AAC timestamps
    // monotonic (without it FFmpeg 5.1's mp4 muxer drops packets with "Packet duration ... out of range").
    ...['-filter:a', `aresample=${profile.audio.sampleRate}:async=1`],
  ];
}
