// H.264 level and RFC 6381 codec strings for encoded rungs, so players are told exactly what they must decode.

interface LevelLimits {
  /** level_idc: 31 for level 3.1. */
  idc: number;
  /** Macroblocks per second. */
  maxMbps: number;
  /** Macroblocks per frame. */
  maxFs: number;
  /** Max video bitrate for the Baseline/Main profiles in kbit/s (High allows 1.25 times as much). */
  maxBrKbps: number;
}

/** ITU-T H.264 Table A-1 (level 1b left out: nothing we encode is that small). */
const LEVELS: readonly LevelLimits[] = [
  { idc: 10, maxMbps: 1485, maxFs: 99, maxBrKbps: 64 },
  { idc: 11, maxMbps: 3000, maxFs: 396, maxBrKbps: 192 },
  { idc: 12, maxMbps: 6000, maxFs: 396, maxBrKbps: 384 },
  { idc: 13, maxMbps: 11880, maxFs: 396, maxBrKbps: 768 },
  { idc: 20, maxMbps: 11880, maxFs: 396, maxBrKbps: 2000 },
  { idc: 21, maxMbps: 19800, maxFs: 792, maxBrKbps: 4000 },
  { idc: 22, maxMbps: 20250, maxFs: 1620, maxBrKbps: 4000 },
  { idc: 30, maxMbps: 40500, maxFs: 1620, maxBrKbps: 10000 },
  { idc: 31, maxMbps: 108000, maxFs: 3600, maxBrKbps: 14000 },
  { idc: 32, maxMbps: 216000, maxFs: 5120, maxBrKbps: 20000 },
  { idc: 40, maxMbps: 245760, maxFs: 8192, maxBrKbps: 20000 },
  { idc: 41, maxMbps: 245760, maxFs: 8192, maxBrKbps: 50000 },
  { idc: 42, maxMbps: 522240, maxFs: 8704, maxBrKbps: 50000 },
  { idc: 50, maxMbps: 589824, maxFs: 22080, maxBrKbps: 135000 },
  { idc: 51, maxMbps: 983040, maxFs: 36864, maxBrKbps: 240000 },
  { idc: 52, maxMbps: 2073600, maxFs: 36864, maxBrKbps: 240000 },
  { idc: 60, maxMbps: 4177920, maxFs: 139264, maxBrKbps: 240000 },
  { idc: 61, maxMbps: 8355840, maxFs: 139264, maxBrKbps: 480000 },
  { idc: 62, maxMbps: 16711680, maxFs: 139264, maxBrKbps: 800000 },
];

const HIGH_PROFILE_BITRATE_FACTOR = 1.25;
const HIGH_PROFILE_IDC = 0x64;

export interface H264Level {
  /** level_idc, e.g. 31. */
  idc: number;
  /** As libx264's `-level` takes it, e.g. '3.1'. */
  name: string;
}

/** Lowest H.264 High level whose limits admit this picture size, frame rate and peak bitrate. */
export interface PictureRate {
  width: number;
  height: number;
  fps: number;
  /** Peak video bitrate (VBV maxrate). */
  maxrateKbps: number;
}

export function h264HighLevel({ width, height, fps, maxrateKbps }: PictureRate): H264Level {
  const mbWidth = Math.ceil(width / 16);
  const mbHeight = Math.ceil(height / 16);
  const frameSize = mbWidth * mbHeight;
  const fits = (level: LevelLimits): boolean =>
    frameSize <= level.maxFs &&
    // Annex A also bounds each side at sqrt(8 * MaxFS) macroblocks, which matters for extreme aspect ratios.
    Math.max(mbWidth, mbHeight) <= Math.sqrt(8 * level.maxFs) &&
    frameSize * fps <= level.maxMbps &&
    maxrateKbps <= level.maxBrKbps * HIGH_PROFILE_BITRATE_FACTOR;
  const level = LEVELS.find(fits) ?? LEVELS[LEVELS.length - 1]!;
  return { idc: level.idc, name: `${Math.floor(level.idc / 10)}.${level.idc % 10}` };
}

/** RFC 6381 string for H.264 High without constraint flags, e.g. 'avc1.64001f' for level 3.1. */
export function avcHighCodecString(level: H264Level): string {
  const hex = (n: number): string => n.toString(16).padStart(2, '0');
  return `avc1.${hex(HIGH_PROFILE_IDC)}00${hex(level.idc)}`;
}
