// Log lines about RTMP connections. Every refusal is a line with the client address and the reason, but a flood of
// the same refusal (a scanner, a reconnect loop, a botnet from many addresses) becomes a few lines and a count.
import type { Logger } from '../log.js';

export interface ConnectionFields {
  ip: string;
  connection?: string;
  transport?: 'rtmp' | 'rtmps';
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
  /** Warn lines per message and window from all addresses together. */
  linesPerWindowInAll?: number;
  windowMs?: number;
}

/** Where a message's lines from every address together are counted. */
const ANY_ADDRESS = '*';

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
  readonly #linesPerWindowInAll: number;
  readonly #windowMs: number;
  readonly #windows = new Map<string, AddressWindow>();
  readonly #sweep: NodeJS.Timeout;

  constructor(opts: ThrottledConnectionLogOptions) {
    this.#log = opts.log;
    this.#linesPerWindow = opts.linesPerWindow ?? 10;
    this.#linesPerWindowInAll = opts.linesPerWindowInAll ?? 100;
    this.#windowMs = opts.windowMs ?? 10_000;
    this.#sweep = setInterval(() => this.#closeWindows(Date.now()), this.#windowMs);
    this.#sweep.unref();
  }

  warn(fields: ConnectionFields, message: string): void {
    const now = Date.now();
    const mine = this.#window(fields.ip, message, now);
    const all = this.#window(ANY_ADDRESS, message, now);
    if (mine.lines < this.#linesPerWindow && all.lines < this.#linesPerWindowInAll) {
      mine.lines += 1;
      all.lines += 1;
      this.#log.warn(fields, message);
    } else {
      // Counted once: for the address while it is over its share, else in the total.
      (mine.lines >= this.#linesPerWindow ? mine : all).suppressed += 1;
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

  /** The current window of `ip` (or ANY_ADDRESS) for `message`; an expired one is summarised and replaced. */
  #window(ip: string, message: string, now: number): AddressWindow {
    const key = `${ip}\n${message}`;
    let window = this.#windows.get(key);
    if (window === undefined || now - window.startedMs >= this.#windowMs) {
      if (window !== undefined) this.#summarise(window);
      window = { ip, message, startedMs: now, lines: 0, suppressed: 0 };
      this.#windows.set(key, window);
    }
    return window;
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
    const where = ip === ANY_ADDRESS ? { from: 'many addresses' } : { ip };
    this.#log.warn({ ...where, suppressed, of: message }, `more of the same in ${seconds} s, not logged one by one`);
  }
}
