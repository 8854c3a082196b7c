// Room left in the data folder: FFmpeg fails silently there when the disk is full, so shopcast must look itself.
import { statfsSync } from 'node:fs';

/** Below this a run cannot be trusted to finish its segments: transcoding pauses, the show stays open. */
export const DISK_FULL_BYTES = 8 * 1024 * 1024;
/** Transcoding resumes only above this, so a disk hovering at the limit does not start and stop runs every second. */
export const DISK_RESUME_BYTES = 2 * DISK_FULL_BYTES;

/** Bytes an unprivileged writer may still use in the file system holding `dir`. */
export function freeBytes(dir: string): number {
  const fs = statfsSync(dir);
  return fs.bavail * fs.bsize;
}
