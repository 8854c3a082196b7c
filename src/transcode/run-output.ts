// Where the media of a run goes as FFmpeg writes it: one fragmented MP4 byte stream per rung, handed on in order.
// The packager implements it; a port rather than bus events, because these are bytes, many times a second, that must
// reach exactly one consumer.

export interface RunOutputSink {
  /** The next bytes of rung `rung` (ladder order) of run `runId` of `slug`'s stream. */
  data(run: RunRef, rung: number, chunk: Buffer): void;
  /**
   * Every rung of the run will start a keyframe `mediaS` seconds after the run's first frame. Told as the source's
   * keyframe is handed to FFmpeg, so before the media that ends there comes out: a segment can be closed with its
   * last part instead of when the next one arrives.
   */
  keyframe(run: RunRef, mediaS: number): void;
  /** Rung `rung`'s stream is over: FFmpeg closed it or exited. */
  end(run: RunRef, rung: number): void;
}

export interface RunRef {
  slug: string;
  runId: string;
}
