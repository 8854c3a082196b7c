// Samples the gateway's and the transcoder's CPU time, memory and output position every few hundred ms from /proc
// and the system's own reports, from the end of startup until the run stops.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpuSeconds, parseRssBytes } from '../procfs.js';
import { readStat } from '../processes.js';
import type { ProcessSample, ResourceSample } from '../resource-figures.js';
import type { SystemUnderTest } from '../systems/system.js';

const CLOCK_TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
/** A system too busy to say where its transcoder is within this long skips a sample rather than stalling them. */
const PROBE_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function sampleProcess(pid: number | null): ProcessSample | null {
  if (pid === null) return null;
  const stat = readStat(pid);
  if (!stat || stat.state === 'Z') return null;
  let rssBytes: number | null = null;
  try {
    rssBytes = parseRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    // Exited between the two reads.
  }
  return { pid, startTimeTicks: stat.startTimeTicks, cpuS: cpuSeconds(stat, CLOCK_TICKS_PER_S), rssBytes };
}

/** A gateway made of several processes, as one: CPU and RSS summed, identified by its main process. */
function sampleGroup(pids: readonly number[]): ProcessSample | null {
  const [main, ...rest] = pids.map(sampleProcess);
  if (!main) return null;
  return rest.reduce<ProcessSample>(
    (sum, sample) => ({
      ...sum,
      cpuS: sum.cpuS + (sample?.cpuS ?? 0),
      rssBytes: sum.rssBytes === null ? null : sum.rssBytes + (sample?.rssBytes ?? 0),
    }),
    main,
  );
}

export class ResourceSampler {
  readonly samples: ResourceSample[] = [];
  /** Distinct failures (a sample that failed is skipped). */
  readonly errors = new Set<string>();
  #timer: NodeJS.Timeout | null = null;
  #busy = false;

  constructor(
    private readonly system: SystemUnderTest,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    void this.#sample();
    this.#timer = setInterval(() => void this.#sample(), this.intervalMs);
  }

  /** Takes one last sample now and stops. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.mark();
  }

  /** Takes a sample now (a window's edge); returns its time. */
  async mark(): Promise<number> {
    while (this.#busy) await new Promise((resolve) => setTimeout(resolve, 10));
    await this.#sample();
    return this.samples[this.samples.length - 1]?.atMs ?? Date.now();
  }

  async #sample(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const probe = this.system.transcodes
        ? await withTimeout(this.system.transcoder(), PROBE_TIMEOUT_MS, 'asking for the transcoder')
        : null;
      const atMs = Date.now();
      const transcoder = probe ? sampleProcess(probe.pid) : null;
      this.samples.push({
        atMs,
        gateway: sampleGroup(this.system.gatewayPids()),
        transcoder: transcoder && probe ? { ...transcoder, outTimeS: probe.outTimeS } : null,
      });
    } catch (err) {
      this.errors.add((err as Error).message);
    } finally {
      this.#busy = false;
    }
  }
}
