// The packager's own names: show ids (which the public file names in ../media-names.ts start with) and its state files.
import { CHANNEL_SLUG } from '../media-names.js';

/**
 * Base 36 of the show's start time, later than the channel's previous show so that ids (and with them segment
 * names) never repeat, even when the clock steps back.
 */
export function nextShowId(nowMs: number, previous: string | undefined): string {
  const previousMs = previous === undefined ? -1 : Number.parseInt(previous, 36);
  return Math.max(nowMs, previousMs + 1).toString(36);
}

/** The file a channel's show state is persisted in (inside the packager's state folder), and its name while written. */
export function showStateFileName(slug: string): string {
  return `${slug}${STATE_EXTENSION}`;
}

/** The channel a state file name belongs to, or undefined if `name` is not one. */
export function slugOfStateFile(name: string): string | undefined {
  const slug = name.endsWith(STATE_EXTENSION) ? name.slice(0, -STATE_EXTENSION.length) : '';
  return CHANNEL_SLUG.test(slug) ? slug : undefined;
}
const STATE_EXTENSION = '.json';
export const SHOW_STATE_TMP_SUFFIX = '.tmp';
