// What a restream destination's push is doing, as the API, the studio and the event stream show it: one definition.

/**
 * `idle`: the channel is not live (or the destination was just added and its push has not begun); `disabled`: the
 * seller switched it off; `connecting`: handshake, connect and publish under way; `live`: media flowing;
 * `retrying`: the last attempt failed (`reason` says why) and the next one waits its back-off.
 */
export type PushPhase = 'idle' | 'disabled' | 'connecting' | 'live' | 'retrying';

export interface PushState {
  phase: PushPhase;
  /** Why the push is retrying (the destination's own words where it gave some, never the key); null otherwise. */
  reason: string | null;
  /** When the push entered this phase (ISO 8601). */
  since: string;
  /** Sent over the last few seconds, while live; null otherwise. */
  bitrateKbps: number | null;
  /** Failed attempts in a row (0 once media flowed). */
  failures: number;
}

/** Reads the push state of a channel's destinations; what the API shows beside each destination. */
export interface RestreamStatusReader {
  /** The state of destination `id` of channel `slug`; `idle` for one the restreamer has not seen yet. */
  stateOf(slug: string, destinationId: string): PushState;
}
