// What live posters and replay pictures share: the rung a picture is decoded from, its size, and how its file is
// written and read.
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import type { Rung } from '../../media.js';

/** Pictures are scaled down to this width: a poster or a product card, not a full frame. */
export const PICTURE_MAX_WIDTH = 640;
/** The smallest rung worth a poster: its short side, as a ladder's names (240p) count it. */
const PICTURE_MIN_SHORT_SIDE = 240;

/**
 * The rung to decode a picture from: the smallest with a short side of at least 240 px (cheapest to decode, big enough
 * to look sharp), else the biggest there is.
 */
export function pictureRung<T extends { rung: Pick<Rung, 'width' | 'height'> }>(rungs: readonly T[]): T | undefined {
  const shortSide = (candidate: T): number => Math.min(candidate.rung.width, candidate.rung.height);
  const smallestFirst = [...rungs].sort((a, b) => shortSide(a) - shortSide(b));
  return smallestFirst.find((candidate) => shortSide(candidate) >= PICTURE_MIN_SHORT_SIDE) ?? smallestFirst.at(-1);
}

/** Writes `file` whole or not at all: a reader (or a restarted process) never sees half a picture. */
export async function writeFileAtomic(file: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** The file's bytes, or undefined if there is no such file. */
export async function readIfExists(file: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
