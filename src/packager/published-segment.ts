// What the packager tells the rest of shopcast about each segment it published on every rung of a show: plain data, so
// the recorder and the poster maker follow the live output without reaching into the packager.
import type { Rung } from '../media.js';

export interface PublishedRung {
  rung: Rung;
  /** Absolute path of the segment file as published (it is deleted once it left the playlists and its grace). */
  segmentPath: string;
  /** Absolute path of the init segment of the segment's FFmpeg run. */
  initPath: string;
}

export interface PublishedSegment {
  slug: string;
  /** The packager's show id (its file names start with it); a new one opens when a reconnect changes the rungs. */
  mediaShowId: string;
  msn: number;
  /** FFmpeg run of the packager's show the segment belongs to. */
  runIndex: number;
  durationS: number;
  programDateTimeMs: number;
  /** Media time of the segment's start within its run (see ShowSegment.runTimeS). */
  runTimeS: number;
  /** First segment after an encoder restart or a publisher reconnect. */
  discontinuity: boolean;
  /** The show's rungs, highest first. */
  rungs: PublishedRung[];
}
