// Shared fakes of the poster tests: a frame grabber that records its requests and settles them when told, and a logger
// whose lines the test reads.
import { pino, type Logger } from 'pino';
import type { FrameGrab, FrameRequest } from '../../../src/transcode/frame-grab.js';

export interface PendingGrab {
  request: FrameRequest;
  resolve: (bytes: Uint8Array) => void;
  reject: (err: unknown) => void;
}

/** Every grab waits until the test settles it. */
export class FakeFrames implements FrameGrab {
  readonly grabs: PendingGrab[] = [];
  #waiters: (() => void)[] = [];

  grab(request: FrameRequest): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      this.grabs.push({ request, resolve, reject });
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Settles once `count` grabs were asked for in all, and gives the newest. */
  async asked(count: number): Promise<PendingGrab> {
    while (this.grabs.length < count) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    return this.last();
  }

  /** The newest grab, which must exist. */
  last(): PendingGrab {
    const grab = this.grabs.at(-1);
    if (grab === undefined) throw new Error('no grab was asked for');
    return grab;
  }
}

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export const WARN = 40;

export function capturedLog(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { log, lines };
}

export function jpeg(...tail: number[]): Uint8Array {
  return Uint8Array.from([0xff, 0xd8, ...tail]);
}
