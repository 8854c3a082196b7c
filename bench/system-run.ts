// One run of one system through every phase, on its own: start it, publish, time startup, measure a steady window
// (delay, CPU), fetch quality clips, load its origin with wrk, play it in Chromium, stop it, then analyse offline.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Profile } from '../src/transcode/profile.js';
import { delays, placeRungs, playerLatencies } from './analysis.js';
import { decodeFingerprints } from './media-files.js';
import { measureHttp } from './measure/http.js';
import type { PlayerPage } from './measure/player-page.js';
import { samplePlayer, type PlayerSampling } from './measure/player.js';
import { PlaylistWatch } from './measure/playlist-watch.js';
import { fetchQualityClips, scoreQualityClips, type QualityClip } from './measure/quality.js';
import { ResourceSampler } from './measure/resources.js';
import type { HttpResult, PlayerResult, RungInfo, Settings, StartupResult, SystemName, SystemRun } from './model.js';
import { topVariant } from './playlist.js';
import { SOURCE, startPublisher } from './publisher.js';
import { resourceFigures, transcoderSpeed } from './resource-figures.js';
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

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function startSystem(opts: SystemRunOptions): Promise<SystemUnderTest> {
  const common = { runDir: opts.dir, ffmpegPath: opts.ffmpegPath };
  if (opts.system === 'shopcast') return startShopcastSystem(common);
  return startNginxSystem({ ...common, variant: opts.system === 'nginx-a' ? 'a' : 'c', profile: opts.profile });
}

export async function runSystemOnce(opts: SystemRunOptions): Promise<SystemRunOutcome> {
  const { settings, dir, ffmpegPath, progress } = opts;
  await mkdir(dir, { recursive: true });
  const errors: string[] = [];
  const attempt = async <T>(what: string, run: () => Promise<T>): Promise<T | null> => {
    try {
      return await run();
    } catch (err) {
      errors.push(`${what}: ${(err as Error).message}`);
      return null;
    }
  };

  const system = await startSystem(opts);
  const publisher = startPublisher({
    ffmpegPath,
    url: system.publishUrl,
    recording: path.join(dir, 'source.flv'),
    logFile: path.join(dir, 'publisher.log'),
  });
  const { t0Ms } = publisher;
  const watch = new PlaylistWatch({ masterUrl: system.masterUrl, pollMs: settings.pollMs, clipDir: dir });
  const sampler = new ResourceSampler(system, RESOURCE_SAMPLE_MS);
  let info: Record<string, unknown> = {};
  let clips: QualityClip[] | null = null;
  let http: HttpResult | null = null;
  let playing: PlayerSampling | null = null;
  let playerError: string | null = null;
  let window = { fromMs: t0Ms, toMs: t0Ms };
  try {
    watch.start();
    progress('startup');
    if (!(await watch.waitUntilListed(3, STARTUP_TIMEOUT_MS))) {
      errors.push(`startup: not every rung listed 3 segments within ${STARTUP_TIMEOUT_MS / 1000} s`);
    }
    sampler.start();
    progress(`steady window ${settings.windowS} s`);
    const fromMs = await sampler.mark();
    await sleep(settings.windowS * 1000);
    window = { fromMs, toMs: await sampler.mark() };
    info = (await attempt('describe', () => system.describe())) ?? {};
    const top = topVariant(watch.rungs);
    if (system.transcodes) {
      clips = await fetchQualityClips({ rungs: watch.rungs, segments: settings.qualitySegments, dir });
    }
    if (top && opts.wrk) {
      progress(`wrk ${settings.wrkDurationS} s x 2`);
      http = await attempt('http', () => measureHttp({ playlistUrl: top.url, durationS: settings.wrkDurationS }));
      errors.push(...(http?.errors ?? []).map((e) => `http ${e}`));
    }
    if (opts.playerPage && settings.playerS !== null) {
      progress(`player ${settings.playerS} s`);
      const request = { page: opts.playerPage, masterUrl: system.masterUrl, durationS: settings.playerS, intervalMs: PLAYER_SAMPLE_MS };
      playing = await samplePlayer(request).catch((err: Error) => ((playerError = err.message), null));
    }
  } finally {
    await sampler.stop();
    await watch.stop();
    await publisher.stop();
    await system.stop();
  }
  errors.push(...watch.errors.map((e) => `playlist watch: ${e}`), ...[...sampler.errors].map((e) => `sampling: ${e}`));

  progress('analysis');
  const rungs: RungInfo[] = watch.rungs.map(({ label, url, width, height, bandwidth }) => ({ label, url, width, height, bandwidth }));
  const startupInput = { t0Ms, masterServedMs: watch.masterServedMs, rungs: watch.rungs };
  const startup: StartupResult = {
    masterS: watch.masterServedMs === null ? null : (watch.masterServedMs - t0Ms) / 1000,
    firstSegmentS: startupS(startupInput, 1),
    threeSegmentsS: startupS(startupInput, 3),
    perRung: watch.rungs.map((rung) => ({
      rung: rung.label,
      firstSegmentS: startupS({ ...startupInput, rungs: [rung] }, 1),
      threeSegmentsS: startupS({ ...startupInput, rungs: [rung] }, 3),
    })),
  };
  // The recording is decoded only as far as the clips to be located reach.
  const lastNeededMs = Math.max(
    ...(clips ?? []).map((clip) => clip.fetchedAtMs),
    ...watch.rungs.flatMap((rung) => [...rung.runStartClips.values()].map((clip) => clip.sighting.firstSeenMs)),
    t0Ms,
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
  const top = topVariant(watch.rungs);
  const delay =
    placed && top
      ? delays({ placed, topRung: top.label, t0Ms, ...window, runsOnTop: new Set(top.log.sightings.map((s) => s.run)).size })
      : null;
  const quality =
    clips && source
      ? await scoreQualityClips({ ffmpegPath, clips, source, recording: publisher.recording, t0Ms })
      : null;
  let player: PlayerResult | null = null;
  if (playing && placed) {
    player = playerLatencies({ samples: playing.samples, placed, t0Ms, timeToPlayingS: playing.timeToPlayingS });
  } else if (playerError !== null) {
    player = { pdtLatencyS: null, timelineLatencyS: [], timeToPlayingS: null, samples: [], error: playerError };
  }
  const resources = sampler.samples.length > 0
    ? {
        ...resourceFigures(sampler.samples, window),
        samples: sampler.samples,
        windowFromMs: window.fromMs,
        windowToMs: window.toMs,
        speedWholeRun: transcoderSpeed(sampler.samples, { fromMs: window.fromMs, toMs: Number.POSITIVE_INFINITY }),
      }
    : null;
  return {
    run: {
      system: opts.system,
      round: opts.round,
      t0: new Date(t0Ms).toISOString(),
      ladder: rungs,
      startup,
      delay,
      resources,
      quality,
      http,
      player,
      errors,
    },
    info,
  };
}
