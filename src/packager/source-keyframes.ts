// Where a run's source has keyframes, in media time from the run's first frame, as the transcoder announces them
// ahead of the media: lets every rung's segmenter close a segment with its last part.

/** Announcements this far behind the newest one are forgotten: every rung is long past them. */
const KEEP_S = 60;

export interface KeyframeTimes {
  /** The announced keyframe nearest `mediaS`, if one is within `withinS`. */
  nearest(mediaS: number, withinS: number): number | undefined;
}

export class SourceKeyframes implements KeyframeTimes {
  #times: number[] = [];

  add(mediaS: number): void {
    this.#times.push(mediaS);
    const oldest = mediaS - KEEP_S;
    if (this.#times[0]! < oldest) this.#times = this.#times.filter((t) => t >= oldest);
  }

  nearest(mediaS: number, withinS: number): number | undefined {
    let best: number | undefined;
    for (const t of this.#times) {
      if (Math.abs(t - mediaS) <= withinS && (best === undefined || Math.abs(t - mediaS) < Math.abs(best - mediaS))) best = t;
    }
    return best;
  }
}
