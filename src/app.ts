// Composition root: builds every module, wires them through the event bus, starts and stops them in order.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './config.js';
import { EventBus } from './events.js';
import type { Logger } from './log.js';
import { ensureAdmin, StoredTokenAuthenticator } from './commerce/auth.js';
import { ensureDemoChannel, type DemoChannel } from './commerce/demo.js';
import { LiveCommerce } from './commerce/live.js';
import { Ingest } from './ingest/ingest.js';
import { eventRoutes } from './origin/api/events.js';
import { liveRoutes } from './origin/api/live.js';
import { HttpWorkers } from './origin/httpWorkers.js';
import { Origin } from './origin/origin.js';
import { Packager } from './packager/packager.js';
import { StatusView } from './status.js';
import { SqliteChannelRepository } from './store/channels.js';
import { SqliteChatRepository } from './store/chat.js';
import { SqliteProductRepository } from './store/products.js';
import { SqliteApiTokenRepository, SqliteSellerRepository } from './store/sellers.js';
import { openDatabase } from './store/db.js';
import { SqliteShowRepository } from './store/shows.js';
import { assertSupports, resolveFfmpeg } from './transcode/ffmpeg.js';
import { loadProfiles, type Profile } from './transcode/profile.js';
import { Supervisor } from './transcode/supervisor.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface StartedApp {
  httpPort: number;
  rtmpPort: number;
  demo: DemoChannel;
  /** The bootstrap admin's API token when this start created it (shown this once), else null. */
  adminToken: string | null;
}

export interface App {
  start(): Promise<StartedApp>;
  stop(): Promise<void>;
}

export async function createApp({ config, log }: { config: Config; log: Logger }): Promise<App> {
  const profiles = await loadProfiles(path.join(ROOT, 'profiles'));
  const defaultProfile = profiles.get(config.profile);
  if (!defaultProfile) {
    throw new Error(`profile "${config.profile}" not found in profiles/ (have: ${[...profiles.keys()].join(', ')})`);
  }
  const ffmpeg = await resolveFfmpeg({ ffmpegPath: config.ffmpegPath, log: log.child({ module: 'ffmpeg' }) });
  for (const profile of profiles.values()) assertSupports(ffmpeg, profile);
  log.info({ ffmpeg: ffmpeg.path, source: ffmpeg.source, version: ffmpeg.version }, 'using FFmpeg');

  const db = openDatabase(config.dataDir);
  const channels = new SqliteChannelRepository(db);
  const products = new SqliteProductRepository(db);
  const sellers = new SqliteSellerRepository(db);
  const tokens = new SqliteApiTokenRepository(db);
  const admin = ensureAdmin({ sellers, tokens, adminToken: config.adminToken });
  const demo = ensureDemoChannel(channels, { products, demoKey: config.demoKey, profile: config.profile });
  const profileFor = (slug: string): Profile => profiles.get(channels.bySlug(slug)?.profile ?? '') ?? defaultProfile;

  // Work folders of a previous process are orphans: its FFmpeg runs died with it (its shows did not: the packager
  // persists them under packager/ and continues them).
  const workRoot = path.join(config.dataDir, 'work');
  rmSync(workRoot, { recursive: true, force: true });
  mkdirSync(workRoot, { recursive: true });
  const mediaDir = path.join(config.dataDir, 'media');
  mkdirSync(mediaDir, { recursive: true });

  const bus = new EventBus();
  const packager = new Packager({
    bus,
    mediaDir,
    stateDir: path.join(config.dataDir, 'packager'),
    windowSegments: config.playlistWindowSegments,
    segmentGraceS: config.segmentGraceS,
    reconnectWindowS: config.reconnectWindowS,
    isChannel: (slug) => channels.bySlug(slug) !== undefined,
    log: log.child({ module: 'packager' }),
  });
  const supervisor = new Supervisor({
    bus,
    log: log.child({ module: 'supervisor' }),
    ffmpeg,
    profileFor,
    workRoot,
    stallTimeoutS: config.stallTimeoutS,
  });
  const ingest = new Ingest({
    bus,
    log: log.child({ module: 'ingest' }),
    channels,
    host: config.host,
    port: config.rtmpPort,
    reconnectWindowS: config.reconnectWindowS,
  });
  const httpWorkers =
    config.httpWorkers > 0
      ? new HttpWorkers({
          count: config.httpWorkers,
          mediaDir,
          graceS: config.segmentGraceS,
          logLevel: config.logLevel,
          // The playlists of shows restored at start were rendered before the workers listened.
          onPlaylists: (listener) => {
            for (const update of packager.playlistsNow()) listener(update);
            return bus.on('packager.playlists', listener);
          },
          log: log.child({ module: 'http-workers' }),
        })
      : undefined;
  const status = new StatusView({
    httpWorkers: () => httpWorkers?.status() ?? { configured: 0, running: 0, restarts: 0 },
    channels,
    ingest,
    transcoder: supervisor,
    packager: { status: (slug) => packager.status(slug), statusJson: (slug) => packager.status(slug) },
    dataDir: config.dataDir,
    ffmpeg: { path: ffmpeg.path, version: ffmpeg.version, source: ffmpeg.source },
  });
  const live = new LiveCommerce({
    bus,
    shows: new SqliteShowRepository(db),
    chat: new SqliteChatRepository(db),
    products,
    channels,
    status,
    playlists: packager,
    log: log.child({ module: 'live' }),
  });
  const auth = new StoredTokenAuthenticator(tokens);
  const origin = new Origin({
    media: packager,
    status,
    log: log.child({ module: 'origin' }),
    publicDir: path.join(ROOT, 'public'),
    api: {
      live,
      auth,
      sellers,
      tokens,
      channels,
      products,
      bus,
      profiles: [...profiles.keys()],
      defaultProfile: config.profile,
      rtmpServer: () => `rtmp://${new URL(config.publicUrl).hostname}:${ingest.port}/live`,
      obsSettings: (name) => {
        const profile = profiles.get(name) ?? defaultProfile;
        return {
          bitrateKbps: Math.max(...profile.rungs.map((rung) => rung.videoBitrateKbps)),
          keyframeIntervalS: profile.segmentDurationS,
        };
      },
      extraRoutes: [liveRoutes({ live, channels, auth }), eventRoutes({ live, channels, status })],
    },
    host: config.host,
    port: config.httpPort,
    workers: httpWorkers,
  });

  return {
    async start() {
      // Shows an earlier process left inside their reconnect window continue: same show, same ladder, and the seller's
      // publish within the rest of the window is a reconnect. The other shows it left open are ended, before RTMP opens.
      const resumed = await packager.start();
      live.start(resumed.map((show) => show.slug));
      supervisor.resume(resumed);
      supervisor.start();
      ingest.resume(resumed.map(({ slug, startedAtMs, windowEndsAtMs }) => ({ slug, sinceMs: startedAtMs, windowEndsAtMs })));
      try {
        const { port: httpPort } = await origin.start();
        // RTMP last: nothing can publish into a half-started gateway.
        await ingest.start();
        return { httpPort, rtmpPort: ingest.port, demo, adminToken: admin.token };
      } catch (err) {
        await ingest.stop();
        await supervisor.stop();
        await packager.stop();
        live.stop();
        await origin.stop();
        db.close();
        throw err;
      }
    },
    async stop() {
      await ingest.stop();
      await supervisor.stop();
      await packager.stop();
      // Live shows stay open (persisted by the packager) for the next start; ends the event streams so the HTTP server
      // closes at once.
      live.stop();
      await origin.stop();
      db.close();
      log.info('stopped');
    },
  };
}
