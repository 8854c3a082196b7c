// Samples a process's resident memory from /proc while a test hammers it: the bound the README states is measured.
import { readFileSync } from 'node:fs';
import { GATEWAY_RSS_BUDGET_MIB } from '../../../bench/budgets.js';
import { parseRssBytes } from '../../../bench/procfs.js';

export interface MemoryFigures {
  samples: number;
  maxBytes: number;
  firstBytes: number;
  lastBytes: number;
}

export const MiB = 1024 * 1024;

export const GATEWAY_RSS_BUDGET = GATEWAY_RSS_BUDGET_MIB * MiB;

export class RssSampler {
  readonly #pid: number;
  readonly #timer: NodeJS.Timeout;
  readonly #values: number[] = [];

  constructor(pid: number, intervalMs = 250) {
    this.#pid = pid;
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), intervalMs);
    // A test that failed before stop() must not be kept running by its sampler.
    this.#timer.unref();
  }

  #sample(): void {
    try {
      const rss = parseRssBytes(readFileSync(`/proc/${this.#pid}/status`, 'utf8'));
      if (rss !== null) this.#values.push(rss);
    } catch {
      // The process is gone; the test that killed it knows.
    }
  }

  figures(): MemoryFigures {
    const values = this.#values;
    if (values.length === 0) throw new Error(`no memory sample of pid ${this.#pid}`);
    return { samples: values.length, maxBytes: Math.max(...values), firstBytes: values[0]!, lastBytes: values.at(-1)! };
  }

  stop(): MemoryFigures {
    clearInterval(this.#timer);
    this.#sample();
    return this.figures();
  }
}

export const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;
