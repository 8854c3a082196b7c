// Log lines about RTMP connections. Every refusal is a line with the client address and the reason, but a flood of
// the same refusal from one address (a scanner, a reconnect loop) becomes a few lines and a count, not a full disk.
import type { Logger } from '../log.js';

export interface ConnectionFields {
  ip: string;
  connection?: string;
  slug?: string | null;
  reason: string;
}

export interface ConnectionLog {
  /** Something a client did wrong or was refused: throttled per address and message. */
  warn(fields: ConnectionFields, message: string): void;
  info(fields: ConnectionFields, message: string): void;
  debug(fields: ConnectionFields, message: string): void;
}

export interface ThrottledConnectionLogOptions {
  log: Logger;
  /** Warn lines per address, message and window before they are only counted. */
  linesPerWindow?: number;
  windowMs?: number;
}

interface AddressWindow {
  ip: string;
  message: string;
  startedMs: number;
  lines: number;
  suppressed: number;
}

export class ThrottledConnectionLog implements ConnectionLog {
  readonly #log: Logger;
  readonly #linesPerWindow: number;
  readonly #windowMs: number;
  readonly #windows = new Map<string, AddressWindow>();
  readonly #sweep: NodeJS.Timeout;

  constructor(opts: ThrottledConnectionLogOptions) {
    this.#log = opts.log;
    this.#linesPerWindow = opts.linesPerWindow ?? 10;
    this.#windowMs = opts.windowMs ?? 10_000;
    this.#sweep = setInterval(() => this.#closeWindows(Date.now()), this.#windowMs);
    this.#sweep.unref();
  }

  warn(fields: ConnectionFields, message: string): void {
    const now = Date.now();
    const key = `${fields.ip}\n${message}`;
    let window = this.#windows.get(key);
    if (window === undefined || now - window.startedMs >= this.#windowMs) {
      if (window !== undefined) this.#summarise(window);
      window = { ip: fields.ip, message, startedMs: now, lines: 0, suppressed: 0 };
      this.#windows.set(key, window);
    }
    if (window.lines < this.#linesPerWindow) {
      window.lines += 1;
      this.#log.warn(fields, message);
    } else {
      window.suppressed += 1;
    }
  }

  info(fields: ConnectionFields, message: string): void {
    this.#log.info(fields, message);
  }

  debug(fields: ConnectionFields, message: string): void {
    this.#log.debug(fields, message);
  }

  stop(): void {
    clearInterval(this.#sweep);
    this.#closeWindows(Infinity);
  }

  #closeWindows(now: number): void {
    for (const [key, window] of this.#windows) {
      if (now - window.startedMs < this.#windowMs) continue;
      this.#summarise(window);
      this.#windows.delete(key);
    }
  }

  #summarise({ ip, message, suppressed }: AddressWindow): void {
    if (suppressed === 0) return;
    const seconds = Math.round(this.#windowMs / 1000);
    this.#log.warn({ ip, suppressed, of: message }, `more of the same from this address in ${seconds} s, not logged one by one`);
  }
}
