// When the publisher really sent media time 0: its process needs a moment (libraries, encoder, RTMP handshake)
// after it is spawned at T0, and that moment is in no system's delay; pure.

export interface ProgressReport {
  /** Wall clock (ms) at which the bench read the report. */
  wallMs: number;
  /** The publisher's output position when it wrote the report. */
  outTimeS: number;
}

/**
 * Wall clock (ms) of the publisher's media time 0. A report is written after the media up to outTimeS went out and
 * `-re` paces media at real time, so wallMs − outTimeS is never earlier than that instant: the earliest value over
 * many reports (one per stats period) is its best estimate. Null without reports.
 */
export function publishClockOriginMs(reports: readonly ProgressReport[]): number | null {
  if (reports.length === 0) return null;
  return Math.min(...reports.map((r) => r.wallMs - r.outTimeS * 1000));
}
