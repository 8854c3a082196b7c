// Tells a stuck FFmpeg from an idle one: media keeps arriving but the output position stopped moving.

export interface StallSample {
  /** FFmpeg's output position, null before its first output. */
  outTimeS: number | null;
  /** Bytes received from the publisher so far. */
  receivedBytes: number;
  nowMs: number;
}

export class StallWatch {
  #lastOutTimeS: number | null = null;
  #lastAdvanceMs: number;
  #bytesAtAdvance: number;

  constructor(
    private readonly stallTimeoutMs: number,
    start: { nowMs: number; receivedBytes: number },
  ) {
    this.#lastAdvanceMs = start.nowMs;
    this.#bytesAtAdvance = start.receivedBytes;
  }

  /** True when the output has not advanced for the stall timeout although the publisher sent more bytes meanwhile. */
  stalled({ outTimeS, receivedBytes, nowMs }: StallSample): boolean {
    if (outTimeS !== null && outTimeS !== this.#lastOutTimeS) {
      this.#lastOutTimeS = outTimeS;
      this.#lastAdvanceMs = nowMs;
      this.#bytesAtAdvance = receivedBytes;
      return false;
    }
    return nowMs - this.#lastAdvanceMs >= this.stallTimeoutMs && receivedBytes > this.#bytesAtAdvance;
  }

  /** Seconds since the output last advanced (for the kill reason). */
  idleS(nowMs: number): number {
    return Math.round((nowMs - this.#lastAdvanceMs) / 100) / 10;
  }
}
