// A replay's pictures: its poster (`/vod/<showId>/poster.jpg`) and, for its product list, the moment each product was
// pinned (`pin-<pinId>.jpg`). Each is made once, on its first request, and kept as a file in the recording.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../log.js';
import type { Rung } from '../../media.js';
import { pinImageName, POSTER_FILE } from '../../media-names.js';
import type { ImageLibrary, ServedImage } from '../../origin/ports.js';
import { FrameGrabError, type FrameGrab } from '../../transcode/frame-grab.js';
import type { RecordingStatus } from '../recording/recording-index.js';
import { PICTURE_MAX_WIDTH, pictureRung, readIfExists, writeFileAtomic } from './pictures.js';

/** The recorded files of one moment of a replay. */
export interface FrameSource {
  /** Highest rung first. */
  rungs: { rung: Rung; init: string; media: string }[];
  /** Seconds into the media segment. */
  withinS: number;
}

/** What the replay pictures read of the recorder. */
export interface RecordingFrames {
  view(showId: string): { status: RecordingStatus; durationS: number } | undefined;
  /** The files of the moment `offsetS` of a ready recording, or undefined. */
  frameAt(showId: string, offsetS: number): FrameSource | undefined;
  /** The folder for a ready recording's pictures (its parent exists; deleted with it), or undefined. */
  imagesDir(showId: string): string | undefined;
}

export interface ReplayImagesOptions {
  recordings: RecordingFrames;
  /** Where in the replay of `showId` its pin `pinId` was made, or undefined for no such pin. */
  pinOffsetS: (showId: string, pinId: string) => number | undefined;
  frames: FrameGrab;
  log: Logger;
  /** Seconds before a picture that could not be made is tried again (default 60). */
  retryAfterS?: number;
  now?: () => number;
}

/** A replay's pictures never change. */
const REPLAY_IMAGE_MAX_AGE_S = 86_400;
/** The poster of a replay shorter than this is its first frame. */
const VERY_SHORT_S = 10;
const POSTER_AT_MOST_S = 30;
/** Pins made at (or after) the very end are shown a little before it, where there still is a frame. */
const END_MARGIN_S = 0.1;

/** Where in a replay of `durationS` its poster is taken: a tenth in, at most 30 s; the start of a very short one. */
export function posterOffsetS(durationS: number): number {
  return durationS < VERY_SHORT_S ? 0 : Math.min(durationS * 0.1, POSTER_AT_MOST_S);
}

/** A moment of the replay inside it: a pin made before the recording began, or after it ended, is shown at its edge. */
export function withinReplayS(offsetS: number, durationS: number): number {
  return Math.max(0, Math.min(offsetS, durationS - END_MARGIN_S));
}

/**
 * Where to seek in a segment for the frame on screen `withinS` into it: the first frame after one frame's time
 * before (a grab gives the first frame at or after its seek, which may be the next one, or none at the very end).
 */
export function displayedFrameSeekS(withinS: number, fps: number): number {
  return fps > 0 ? Math.max(0, withinS - 1 / fps + 0.001) : withinS;
}

interface Picture {
  showId: string;
  name: string;
  offsetS: number;
  dir: string;
}

export class ReplayImages implements ImageLibrary {
  readonly #opts: ReplayImagesOptions;
  readonly #retryAfterMs: number;
  readonly #now: () => number;
  /** Pictures being made, by `<showId>/<name>`: requests meanwhile wait for the same grab. */
  readonly #making = new Map<string, Promise<Uint8Array | undefined>>();
  /** Pictures that could not be made, until they are tried again: a broken one costs a grab a minute at most. */
  readonly #failedUntil = new Map<string, number>();

  constructor(opts: ReplayImagesOptions) {
    this.#opts = opts;
    this.#retryAfterMs = (opts.retryAfterS ?? 60) * 1000;
    this.#now = opts.now ?? Date.now;
  }

  async image(target: { slug: string; name: string; pinId?: string }): Promise<ServedImage | undefined> {
    const picture = this.#picture(target);
    if (picture === undefined) return undefined;
    const file = path.join(picture.dir, picture.name);
    const key = `${picture.showId}/${picture.name}`;
    const bytes = (await this.#read(file)) ?? (await this.#madeOnce(key, picture));
    return bytes === undefined ? undefined : { bytes, maxAgeS: REPLAY_IMAGE_MAX_AGE_S };
  }

  /** What `target` names in a ready recording, or undefined. */
  #picture({ slug: showId, name, pinId }: { slug: string; name: string; pinId?: string }): Picture | undefined {
    const { recordings, pinOffsetS } = this.#opts;
    const view = recordings.view(showId);
    if (view?.status !== 'ready') return undefined;
    let offsetS: number | undefined;
    if (pinId === undefined) offsetS = name === POSTER_FILE ? posterOffsetS(view.durationS) : undefined;
    else if (name === pinImageName(pinId) && path.basename(name) === name) offsetS = pinOffsetS(showId, pinId);
    const dir = offsetS === undefined ? undefined : recordings.imagesDir(showId);
    if (offsetS === undefined || dir === undefined) return undefined;
    return { showId, name, offsetS: withinReplayS(offsetS, view.durationS), dir };
  }

  async #read(file: string): Promise<Uint8Array | undefined> {
    try {
      return await readIfExists(file);
    } catch (err) {
      this.#opts.log.warn({ err }, 'replay picture not read; it is made again');
      return undefined;
    }
  }

  #madeOnce(key: string, picture: Picture): Promise<Uint8Array | undefined> {
    const failedUntil = this.#failedUntil.get(key);
    if (failedUntil !== undefined && failedUntil > this.#now()) return Promise.resolve(undefined);
    this.#failedUntil.delete(key);
    let making = this.#making.get(key);
    if (making === undefined) {
      making = this.#make(key, picture).finally(() => this.#making.delete(key));
      this.#making.set(key, making);
    }
    return making;
  }

  async #make(key: string, { showId, name, offsetS, dir }: Picture): Promise<Uint8Array | undefined> {
    const { recordings, frames, log } = this.#opts;
    const at = recordings.frameAt(showId, offsetS);
    const source = at === undefined ? undefined : pictureRung(at.rungs);
    if (at === undefined || source === undefined) {
      this.#failed(key);
      return undefined;
    }
    const request = { init: source.init, media: source.media, maxWidth: PICTURE_MAX_WIDTH };
    let bytes: Uint8Array;
    try {
      bytes = await frames.grab({ ...request, atS: displayedFrameSeekS(at.withinS, source.rung.fps) });
    } catch (err) {
      const reason = err instanceof FrameGrabError ? err.reason : 'failed';
      // Busy is the grabber's backlog being full, not this picture's fault: the next request tries again.
      if (reason !== 'busy') this.#failed(key);
      const message = err instanceof Error ? err.message : String(err);
      log[reason === 'busy' ? 'debug' : 'warn']({ showId, name, reason, err: message }, 'replay picture not made');
      return undefined;
    }
    await this.#save(path.join(dir, name), bytes);
    return bytes;
  }

  async #save(file: string, bytes: Uint8Array): Promise<void> {
    try {
      // Not recursive: a recording deleted during the grab must not get its folder back.
      await mkdir(path.dirname(file)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      await writeFileAtomic(file, bytes);
    } catch (err) {
      this.#opts.log.warn({ err }, 'replay picture not saved; it is made again on a later request');
    }
  }

  #failed(key: string): void {
    const now = this.#now();
    for (const [other, until] of this.#failedUntil) if (until <= now) this.#failedUntil.delete(other);
    this.#failedUntil.set(key, now + this.#retryAfterMs);
  }
}
