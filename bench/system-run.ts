// One run of one system through every phase, on its own: start it, publish, time startup, measure a steady window
// (delay, CPU), fetch quality clips, load its origin with wrk, play it in Chromium, stop it; then analyse offline,
// so decoding and SSIM never compete with a system being measured.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Profile } from '../src/transcode/profile.js';
import { delays, placeRungs, playerLatencies } from './analysis.js';
import { decodeFingerprints } from './media-files.js';
import { measureHttp } from './measure/http.js';
import type { PlayerPage } from './measure/player-page.js';
import { samplePlayer, watchForFirstFrame, type PlayerSampling, type PlayerSamplingOptions } from './measure/player.js';
import { PlaylistWatch } from './measure/playlist-watch.js';
import { fetchQualityClips, scoreQualityClips, type QualityClip } from './measure/quality.js';
import { ResourceSampler } from './measure/resources.js';
import { MISFIT_GOP_S, TRANSCODER_ONLY, type HttpResult, type PlayerResult, type Settings, type StartupResult, type SystemName, type SystemRun } from './model.js';
import { topVariant } from './playlist.js';
import { SOURCE, startPublisher, type RunningPublisher } from './publisher.js';
import { resourceFigures, transcoderSpeed, type Window } from './resource-figures.js';
import { startupS } from './segment-log.js';
import { startNginxSystem } from './systems/nginx.js';
import { startShopcastSystem } from './systems/shopcast.js';
import type { SystemUnderTest } from './systems/system.js';

/** Longest wait for every rung to list three segments. */
const STARTUP_TIMEOUT_MS = 45_000;
const RESOURCE_SAMPLE_MS = 250;
const PLAYER_SAMPLE_MS = 1000;

export interface SystemRunOptions {
  system: SystemName;
  round: number;
  settings: Settings;
  /** Private folder of this run. */
  dir: string;
  ffmpegPath: string;
  profile: Profile;
  /** Null when player latency is skipped. */
  playerPage: PlayerPage | null;
  /** wrk is installed. */
  wrk: boolean;
  progress(message: string): void;
}

export interface SystemRunOutcome {
  run: SystemRun;
  /** What the system said about itself while live (binaries, ladder). */
  info: Record<string, unknown>;
}

/** What was measured while the system ran, before any analysis. */
interface LiveData {
  publisher: RunningPublisher;
  watch: PlaylistWatch;
  sampler: ResourceSampler;
  window: Window;
  info: Record<string, unknown>;
  clips: QualityClip[] | null;
  http: HttpResult | null;
  /** The player page on the master playlist, and on the DASH manifest (dash.js) for a system that has one. */
  hls: PlayerPhase | null;
  dash: PlayerPhase | null;
  /** Wall clock of the first frame on a page opened before the show, null if not measured or none came. */
  firstFrameWallMs: number | null;
}

interface PlayerPhase {
  sampling: PlayerSampling | null;
  error: string | null;
}

/** Plays `target` for the player phase: its samples, or why there are none. */
async function playerPhase(request: PlayerSamplingOptions): Promise<PlayerPhase> {
  return samplePlayer(request).then(
    (sampling) => ({ sampling, error: null }),
    (err: Error) => ({ sampling: null, error: err.message }),
  );
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a step whose failure costs its figures, not the run: the error is recorded and the result is null. */
function attemptInto(errors: string[]) {
  return async <T>(what: string, run: () => Promise<T>): Promise<T | null> => {
    try {
      return await run();
    } catch (err) {
      errors.push(`${what}: ${(err as Error).message}`);
      return null;
    }
  };
}

function startSystem(opts: SystemRunOptions): Promise<SystemUnderTest> {
  const common = { runDir: opts.dir, ffmpegPath: opts.ffmpegPath };
  if (opts.system === 'shopcast' || opts.system === 'shopcast-encoded') return startShopcastSystem(common, opts.system);
  return startNginxSystem({ ...common, name: opts.system, profile: opts.profile });
}

export async function runSystemOnce(opts: SystemRunOptions): Promise<SystemRunOutcome> {
  await mkdir(opts.dir, { recursive: true });
  const errors: string[] = [];
  const live = await measureLive(opts, errors);
  opts.progress('analysis');
  return { run: await analyse(opts, live, errors), info: live.info };
}

async function measureLive(opts: SystemRunOptions, errors: string[]): Promise<LiveData> {
  const { settings, dir, ffmpegPath, progress } = opts;
  const attempt = attemptInto(errors);
  const system = await startSystem(opts);
  const transcoderOnly = TRANSCODER_ONLY.has(opts.system);
  const player =
    opts.playerPage && settings.playerS !== null && !transcoderOnly
      ? { page: opts.playerPage, masterUrl: system.masterUrl, lowLatency: system.lowLatency }
      : null;
  // Open before the publisher starts, closed once it showed a frame (before the steady window).
  const waiting = player && (await attempt('first frame', () => watchForFirstFrame(player)));
  const publisher = startPublisher({
    ffmpegPath,
    url: system.publishUrl,
    recording: path.join(dir, 'source.flv'),
    logFile: path.join(dir, 'publisher.log'),
    ...(opts.system === 'shopcast-encoded' ? { gopS: MISFIT_GOP_S } : {}),
  });
  const watch = new PlaylistWatch({ masterUrl: system.masterUrl, pollMs: settings.pollMs, clipDir: dir });
  const sampler = new ResourceSampler(system, RESOURCE_SAMPLE_MS);
  const live: LiveData = {
    publisher,
    watch,
    sampler,
    window: { fromMs: publisher.t0Ms, toMs: publisher.t0Ms },
    info: {},
    clips: null,
    http: null,
    hls: null,
    dash: null,
    firstFrameWallMs: null,
  };
  try {
    watch.start();
    const firstFrame = waiting?.firstFrame();
    progress('startup');
    if (!(await watch.waitUntilListed(3, STARTUP_TIMEOUT_MS))) {
      errors.push(`startup: not every rung listed 3 segments within ${STARTUP_TIMEOUT_MS / 1000} s`);
    }
    live.firstFrameWallMs = (await attempt('first frame', async () => (await firstFrame) ?? null)) ?? null;
    if (waiting && live.firstFrameWallMs === null) errors.push('first frame: the page open before the show showed none');
    sampler.start();
    progress(`steady window ${settings.windowS} s`);
    const fromMs = await sampler.mark();
    await sleep(settings.windowS * 1000);
    live.window = { fromMs, toMs: await sampler.mark() };
    live.info = (await attempt('describe', () => system.describe())) ?? {};
    if (system.transcodes) {
      live.clips = await fetchQualityClips({ rungs: watch.rungs, segments: settings.qualitySegments, dir });
    }
    const top = topVariant(watch.rungs);
    if (top && opts.wrk && !transcoderOnly) {
      progress(`wrk ${settings.wrkDurationS} s x 2`);
      live.http = await attempt('http', () => measureHttp({ playlistUrl: top.url, durationS: settings.wrkDurationS }));
      errors.push(...(live.http?.errors ?? []).map((e) => `http ${e}`));
    }
    if (player && settings.playerS !== null) {
      progress(`player ${settings.playerS} s`);
      const request = { ...player, durationS: settings.playerS, intervalMs: PLAYER_SAMPLE_MS };
      live.hls = await playerPhase(request);
      if (system.dashUrl !== null) {
        progress(`dash.js player ${settings.playerS} s`);
        live.dash = await playerPhase({ ...request, masterUrl: system.dashUrl, dash: true });
      }
    }
  } finally {
    await sampler.stop();
    await watch.stop();
    await publisher.stop();
    await system.stop();
  }
  errors.push(...watch.errors.map((e) => `playlist watch: ${e}`), ...[...sampler.errors].map((e) => `sampling: ${e}`));
  return live;
}

async function analyse(opts: SystemRunOptions, live: LiveData, errors: string[]): Promise<SystemRun> {
  const { ffmpegPath } = opts;
  const { publisher, watch, sampler, window, clips } = live;
  const { t0Ms } = publisher;
  const attempt = attemptInto(errors);
  const startupInput = { t0Ms, masterServedMs: watch.masterServedMs, rungs: watch.rungs };
  const startup: StartupResult = {
    masterS: watch.masterServedMs === null ? null : (watch.masterServedMs - t0Ms) / 1000,
    firstSegmentS: startupS(startupInput, 1),
    threeSegmentsS: startupS(startupInput, 3),
    firstFrameS: live.firstFrameWallMs === null ? null : (live.firstFrameWallMs - t0Ms) / 1000,
    perRung: watch.rungs.map((rung) => ({
      rung: rung.label,
      firstSegmentS: startupS({ ...startupInput, rungs: [rung] }, 1),
      threeSegmentsS: startupS({ ...startupInput, rungs: [rung] }, 3),
    })),
  };
  // The recording is decoded only as far as the clips to be located reach.
  const lastNeededMs = Math.max(
    t0Ms,
    ...(clips ?? []).map((clip) => clip.fetchedAtMs),
    ...watch.rungs.flatMap((rung) => [...rung.runStartClips.values()].map((clip) => clip.sighting.firstSeenMs)),
  );
  const source = await attempt('decoding the recording', () =>
    decodeFingerprints({
      ffmpegPath,
      file: publisher.recording,
      sourceWidth: SOURCE.width,
      sourceHeight: SOURCE.height,
      maxFrames: Math.ceil(((lastNeededMs - t0Ms) / 1000 + 1) * SOURCE.fps),
    }),
  );
  const placed = source && (await attempt('placing segments', () => placeRungs({ ffmpegPath, rungs: watch.rungs, source, t0Ms })));
  const measuredOrigin = publisher.clockOriginMs();
  if (measuredOrigin === null) errors.push('publisher reported no progress: delays and latencies are from T0');
  const originMs = measuredOrigin ?? t0Ms;
  const top = topVariant(watch.rungs);
  const runsOnTop = new Set(top?.log.sightings.map((s) => s.run)).size;
  const parts = new Map(watch.rungs.map((rung) => [rung.label, rung.log.partSightings]));
  const delay = placed && top ? delays({ placed, parts, topRung: top.label, originMs, ...window, runsOnTop }) : null;
  const quality =
    clips && source ? await scoreQualityClips({ ffmpegPath, clips, source, recording: publisher.recording, t0Ms }) : null;
  const playerOf = (phase: PlayerPhase | null): PlayerResult | null => {
    if (phase?.sampling && placed) {
      const { samples, timeToPlayingS, pageToFirstFrameS } = phase.sampling;
      return playerLatencies({ samples, placed, originMs, timeToPlayingS, pageToFirstFrameS, fps: SOURCE.fps });
    }
    if (phase?.error == null) return null;
    return { pdtLatencyS: null, timelineLatencyS: [], pictureLatencyS: [], timeToPlayingS: null, pageToFirstFrameS: null, samples: [], error: phase.error };
  };
  const resources =
    sampler.samples.length > 0
      ? {
          ...resourceFigures(sampler.samples, window),
          samples: sampler.samples,
          windowFromMs: window.fromMs,
          windowToMs: window.toMs,
          speedWholeRun: transcoderSpeed(sampler.samples, { fromMs: window.fromMs, toMs: Number.POSITIVE_INFINITY }),
        }
      : null;
  return {
    system: opts.system,
    round: opts.round,
    t0: new Date(t0Ms).toISOString(),
    publisherLagS: measuredOrigin === null ? null : (measuredOrigin - t0Ms) / 1000,
    ladder: watch.rungs.map(({ label, url, width, height, bandwidth }) => ({ label, url, width, height, bandwidth })),
    startup,
    delay,
    resources,
    quality,
    http: live.http,
    player: playerOf(live.hls),
    dashPlayer: playerOf(live.dash),
    errors,
  };
}
