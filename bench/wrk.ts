// Builds wrk's command line and reads its text report (wrk 4.x has no machine-readable output); pure.

export interface WrkOptions {
  url: string;
  threads: number;
  connections: number;
  durationS: number;
}

export function wrkArgs({ url, threads, connections, durationS }: WrkOptions): string[] {
  return [`-t${threads}`, `-c${connections}`, `-d${durationS}s`, '--latency', url];
}

export interface WrkResult {
  requests: number;
  durationS: number;
  requestsPerS: number;
  /** wrk's Transfer/sec; its units are binary (its "MB" is a MiB). */
  mibPerS: number;
  /** Responses outside 2xx/3xx: a figure measured over errors is not a throughput. */
  non2xx: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  /** Latency percentiles in milliseconds (50, 75, 90, 99). */
  latencyMs: Record<'p50' | 'p75' | 'p90' | 'p99', number>;
}

const BINARY_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };
const TIME_UNITS_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The groups `pattern` captures in `text`; throws naming `what` when wrk's report lacks it. */
function capture(text: string, pattern: RegExp, what: string): string[] {
  const match = pattern.exec(text);
  if (!match) throw new Error(`wrk output has no ${what}:\n${text}`);
  return match.slice(1).map((group) => group ?? '');
}

function timeMs(value: string, unit: string): number {
  const scale = TIME_UNITS_MS[unit];
  if (scale === undefined) throw new Error(`unknown wrk time unit '${unit}'`);
  return Number(value) * scale;
}

export function parseWrk(text: string): WrkResult {
  const [requests = '', duration = '', durationUnit = ''] = capture(
    text,
    /(\d+) requests in ([\d.]+)(us|ms|s|m|h),/,
    'request count',
  );
  const [rps = ''] = capture(text, /Requests\/sec:\s+([\d.]+)/, 'Requests/sec');
  const [transfer = '', unit = ''] = capture(text, /Transfer\/sec:\s+([\d.]+)([KMGT]?B)/, 'Transfer/sec');
  const percentile = (p: number): number => {
    const [value = '', pUnit = ''] = capture(text, new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m|h)\\s*$`, 'm'), `${p}% latency`);
    return timeMs(value, pUnit);
  };
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    requests: Number(requests),
    durationS: timeMs(duration, durationUnit) / 1000,
    requestsPerS: Number(rps),
    mibPerS: (Number(transfer) * (BINARY_UNITS[unit] ?? Number.NaN)) / 1024 ** 2,
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0),
    socketErrors: {
      connect: Number(errors?.[1] ?? 0),
      read: Number(errors?.[2] ?? 0),
      write: Number(errors?.[3] ?? 0),
      timeout: Number(errors?.[4] ?? 0),
    },
    latencyMs: { p50: percentile(50), p75: percentile(75), p90: percentile(90), p99: percentile(99) },
  };
}
