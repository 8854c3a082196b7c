// CPU, memory and speed figures of a measurement window from periodic process samples; pure.
import type { ProcessFigures, TranscoderFigures } from './model.js';
import { slope } from './stats.js';

export interface ProcessSample {
  pid: number;
  startTimeTicks: number;
  cpuS: number;
  rssBytes: number | null;
}

export interface ResourceSample {
  atMs: number;
  gateway: ProcessSample | null;
  transcoder: (ProcessSample & { outTimeS: number | null }) | null;
}

export interface Window {
  fromMs: number;
  toMs: number;
}

const MIB = 1024 * 1024;

function within(samples: readonly ResourceSample[], { fromMs, toMs }: Window): ResourceSample[] {
  return samples.filter((s) => s.atMs >= fromMs && s.atMs <= toMs);
}

/**
 * CPU seconds a role used over the samples: per process (pid + start time) from its first to its last sample, summed.
 * A process that died between samples loses its last moments, which is why `processes` is reported beside it.
 */
function roleCpu(samples: readonly (ProcessSample | null)[]): { cpuS: number; processes: number; rssMaxMiB: number | null } {
  const spans = new Map<string, { first: number; last: number }>();
  let rssMax: number | null = null;
  for (const sample of samples) {
    if (!sample) continue;
    const key = `${sample.pid}:${sample.startTimeTicks}`;
    const span = spans.get(key);
    if (span) span.last = sample.cpuS;
    else spans.set(key, { first: sample.cpuS, last: sample.cpuS });
    if (sample.rssBytes !== null) rssMax = Math.max(rssMax ?? 0, sample.rssBytes);
  }
  const cpuS = [...spans.values()].reduce((sum, span) => sum + (span.last - span.first), 0);
  return { cpuS, processes: spans.size, rssMaxMiB: rssMax === null ? null : rssMax / MIB };
}

/** Media seconds per wall second: least-squares slope of FFmpeg's reported output time over the window. */
export function transcoderSpeed(samples: readonly ResourceSample[], window: Window): number | null {
  const points = within(samples, window).flatMap((s) =>
    s.transcoder?.outTimeS == null ? [] : [{ x: s.atMs / 1000, y: s.transcoder.outTimeS }],
  );
  return slope(points);
}

/**
 * The gateway's CPU is per media second published: the publisher runs in real time (-re), so that is the window's
 * length. The transcoder's is per media second it produced (speed × window), so falling behind does not flatter it.
 */
export function resourceFigures(samples: readonly ResourceSample[], window: Window): {
  windowS: number;
  transcoder: TranscoderFigures | null;
  gateway: ProcessFigures | null;
} {
  const inWindow = within(samples, window);
  const windowS = (window.toMs - window.fromMs) / 1000;
  const gatewaySamples = inWindow.map((s) => s.gateway);
  const transcoderSamples = inWindow.map((s) => s.transcoder);
  const gateway = gatewaySamples.some((s) => s !== null) ? roleCpu(gatewaySamples) : null;
  const transcoderCpu = transcoderSamples.some((s) => s !== null) ? roleCpu(transcoderSamples) : null;
  const speed = transcoderSpeed(samples, window);
  const mediaS = speed === null ? null : speed * windowS;
  return {
    windowS,
    gateway: gateway && { ...gateway, cpuPerMediaS: windowS > 0 ? gateway.cpuS / windowS : null },
    transcoder: transcoderCpu && {
      ...transcoderCpu,
      speed,
      mediaS,
      cpuPerMediaS: mediaS !== null && mediaS > 0 ? transcoderCpu.cpuS / mediaS : null,
    },
  };
}
