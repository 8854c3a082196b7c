// The publisher's picture clock: each frame carries its own frame number, burnt into the bottom-left corner as a row
// of black and white squares (square k is bit k), so what a player's <video> shows can be read back to the source
// frame, and glass-to-glass latency measured from pixels, whatever the system does (or does not) write in its
// playlists. Squares stay readable down to the lowest rung: 40 px at 720p are 9 px at 160p.
import type { Picture } from './nginx-config.js';

/** Frame numbers wrap after 2^14 frames (9 min at 30 fps), beyond one system run (about 3 min). */
const BITS = 14;
const SQUARE_PX = 40;
/** Luma (0–255) below which a square reads black, above which white; in between the frame is not trusted. */
const BLACK_BELOW = 64;
const WHITE_ABOVE = 192;

/** A point of the picture as a share of its width and height, so it holds for every rung's size. */
export interface RelativePoint {
  x: number;
  y: number;
}

/**
 * The lavfi graph of the publisher's picture: testsrc2 with the clock over its bottom-left corner. Both sources run
 * at the same rate from 0, so geq's frame number N is the frame's number in the stream.
 */
export function pictureClockGraph({ width, height, fps }: Picture): string {
  const clock = `nullsrc=size=${BITS * SQUARE_PX}x${SQUARE_PX}:rate=${fps},format=gray`;
  const bit = `if(mod(floor(N/pow(2,floor(X/${SQUARE_PX}))),2),235,16)`;
  return `testsrc2=size=${width}x${height}:rate=${fps}[picture];${clock},geq=lum='${bit}'[clock];[picture][clock]overlay=x=0:y=H-h`;
}

/** The centre of every square, bit 0 first. */
export function pictureClockPoints({ width, height }: Picture): RelativePoint[] {
  return Array.from({ length: BITS }, (_, k) => ({
    x: ((k + 0.5) * SQUARE_PX) / width,
    y: (height - SQUARE_PX / 2) / height,
  }));
}

/** The frame number the squares' lumas spell, or null if any square is neither clearly black nor clearly white. */
export function readPictureClock(lumas: readonly number[]): number | null {
  if (lumas.length !== BITS) return null;
  let frame = 0;
  for (const [k, luma] of lumas.entries()) {
    if (luma > WHITE_ABOVE) frame += 2 ** k;
    else if (luma >= BLACK_BELOW) return null;
  }
  return frame;
}

/**
 * Seconds from the moment the publisher sent frame `frame` (its media time after the clock's origin) to `wallMs`,
 * when the player showed it.
 */
export function pictureLatencyS(frame: number, wallMs: number, originMs: number, fps: number): number {
  return (wallMs - (originMs + (frame / fps) * 1000)) / 1000;
}
