// Everything the bench starts is stopped on every way out (normal end, error, Ctrl-C): nothing keeps running on a
// shared machine after a benchmark.
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { parseProcStat, type ProcStat } from './procfs.js';

type Disposer = () => Promise<void>;

const disposers = new Map<number, { name: string; dispose: Disposer }>();
let nextId = 0;

/** Registers a clean-up step; returns a function that runs it now (once) and unregisters it. */
export function onCleanup(name: string, dispose: Disposer): () => Promise<void> {
  const id = nextId++;
  disposers.set(id, { name, dispose });
  return async () => {
    if (!disposers.delete(id)) return;
    await dispose();
  };
}

/** Runs every registered clean-up step, newest first; failures are reported, not thrown. */
export async function cleanupAll(): Promise<void> {
  for (const [id, { name, dispose }] of [...disposers].reverse()) {
    disposers.delete(id);
    try {
      await dispose();
    } catch (err) {
      console.error(`bench: cleaning up ${name} failed: ${(err as Error).message}`);
    }
  }
  killOwnChildren();
}

/** Ctrl-C and `kill` run the clean-up before exiting. */
export function cleanupOnSignals(): void {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.once(signal, () => {
      console.error(`\nbench: ${signal}, stopping everything it started`);
      void cleanupAll().finally(() => process.exit(code));
    });
  }
}

export interface StopOptions {
  signal?: NodeJS.Signals;
  /** Then SIGKILL. */
  timeoutMs?: number;
}

/** Signals a child and waits for it to exit, killing it if it takes longer than `timeoutMs`. */
export async function stopChild(child: ChildProcess, { signal = 'SIGTERM', timeoutMs = 5000 }: StopOptions = {}): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

export function readStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** Identity of a process that survives pid reuse: pid plus start time. */
export interface ProcessIdentity {
  pid: number;
  startTimeTicks: number;
}

export function identify(pid: number): ProcessIdentity | null {
  const stat = readStat(pid);
  return stat ? { pid, startTimeTicks: stat.startTimeTicks } : null;
}

/** SIGKILLs a process the bench caused to exist (e.g. a transcoder nginx spawned) if it is still that process. */
export function killIfAlive(target: ProcessIdentity): void {
  const stat = readStat(target.pid);
  if (!stat || stat.startTimeTicks !== target.startTimeTicks || stat.state === 'Z') return;
  try {
    process.kill(target.pid, 'SIGKILL');
  } catch {
    // Exited in between.
  }
}

/** Every process whose parent is `ppid`. */
export function childrenOf(ppid: number): ProcStat[] {
  const children: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.ppid === ppid) children.push(stat);
  }
  return children;
}

/** Last resort: a child of this process that escaped its handle (a helper that threw mid-start) is killed by pid. */
function killOwnChildren(): void {
  for (const child of childrenOf(process.pid)) {
    if (child.state !== 'Z') killIfAlive({ pid: child.pid, startTimeTicks: child.startTimeTicks });
  }
}
