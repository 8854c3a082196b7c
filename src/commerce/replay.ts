// A show after it ended, as its replay page sees it: the recording's state and URLs, and the pins and chat of the show
// placed on the replay's timeline (where each moment of the live show is in the recording).
import { pinImageUrl, replayUrls } from '../media-names.js';
import type { RecordingView } from '../packager/recording/recorder.js';
import type { RecordingStatus } from '../packager/recording/recording-index.js';
import type { ChatMessage, Pin } from './model.js';

/** The recorder's side. */
export interface RecordingReader {
  view(showId: string): RecordingView | undefined;
  /** Where in the show's replay the wall-clock moment `atMs` is. */
  offsetAt(showId: string, atMs: number): number | undefined;
}

export interface ReplaySummary {
  /** Only a `ready` replay can be watched; `recording`/`stopped`: the show is still live; `deleted`/`expired`: gone. */
  status: RecordingStatus;
  durationS: number;
  pageUrl: string;
  hlsUrl: string;
  dashUrl: string;
  posterUrl: string;
}

export interface ReplayPin extends Pin {
  /** Seconds into the replay where it was pinned. */
  offsetS: number;
  /** Where it was unpinned, or null if it stayed pinned to the end. */
  endOffsetS: number | null;
  /** A picture of that moment. */
  imageUrl: string;
}

export interface ReplayMessage extends ChatMessage {
  /** Seconds into the replay where it was sent. */
  offsetS: number;
}

export function replaySummary(view: RecordingView | undefined): ReplaySummary | null {
  if (view === undefined) return null;
  const { pageUrl, hlsUrl, dashUrl, posterUrl } = replayUrls(view.showId);
  return { status: view.status, durationS: Math.round(view.durationS * 1000) / 1000, pageUrl, hlsUrl, dashUrl, posterUrl };
}

/** Pins and chat of a show placed on its replay's timeline; `offsetAt` maps a wall-clock moment to replay seconds. */
export function replayTimeline(
  showId: string,
  pins: readonly Pin[],
  chat: readonly ChatMessage[],
  offsetAt: (atMs: number) => number,
): { pins: ReplayPin[]; chat: ReplayMessage[] } {
  const at = (iso: string): number => Math.round(offsetAt(Date.parse(iso)) * 1000) / 1000;
  return {
    pins: pins.map((pin) => ({
      ...pin,
      offsetS: at(pin.pinnedAt),
      endOffsetS: pin.unpinnedAt === null ? null : at(pin.unpinnedAt),
      imageUrl: pinImageUrl(showId, pin.id),
    })),
    chat: chat.map((message) => ({ ...message, offsetS: at(message.at) })),
  };
}
