// Parses the /proc files the bench reads for CPU time, memory and process trees (Linux proc(5)); pure.

export interface ProcStat {
  pid: number;
  /** Executable name as the kernel keeps it (at most 15 characters). */
  comm: string;
  state: string;
  ppid: number;
  /** User and system CPU time in clock ticks (see CLK_TCK). */
  utimeTicks: number;
  stimeTicks: number;
  /** Start time in clock ticks after boot: with the pid, it names one process even after its pid is reused. */
  startTimeTicks: number;
}

/**
 * Parses `/proc/PID/stat`. The command name is in parentheses and may itself hold spaces and parentheses, so fields
 * are counted from the last `)`.
 */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc/PID/stat line: ${text.slice(0, 80)}`);
  // Fields after the name, numbered from 3 (state) as in proc(5).
  const rest = text.slice(close + 2).trim().split(/\s+/);
  const field = (n: number): string => {
    const value = rest[n - 3];
    if (value === undefined) throw new Error(`/proc/PID/stat has no field ${n}`);
    return value;
  };
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: field(3),
    ppid: Number(field(4)),
    utimeTicks: Number(field(14)),
    stimeTicks: Number(field(15)),
    startTimeTicks: Number(field(22)),
  };
}

/** Resident set size in bytes from `/proc/PID/status` (`VmRSS:  1234 kB`), or null for a zombie or kernel thread. */
export function parseRssBytes(statusText: string): number | null {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(statusText);
  return match ? Number(match[1]) * 1024 : null;
}

/** CPU seconds (user + system) a process has used, given the kernel's clock ticks per second. */
export function cpuSeconds(stat: ProcStat, ticksPerS: number): number {
  return (stat.utimeTicks + stat.stimeTicks) / ticksPerS;
}

/** `/proc/PID/cmdline` is NUL-separated. */
export function parseCmdline(raw: string): string[] {
  return raw.split('\0').filter((arg) => arg !== '');
}
