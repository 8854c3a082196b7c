// Composition root: builds every module, wires them through the event bus, starts and stops them in order.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './config.js';
import { EventBus } from './events.js';
import type { Logger } from './log.js';
import { ensureAdmin, StoredTokenAuthenticator } from './commerce/auth.js';
import { CLIENT_HASH_SECRET, clientHasher } from './commerce/clients.js';
import { ensureDemoChannel, type DemoChannel } from './commerce/demo.js';
import { LiveCommerce } from './commerce/live.js';
import { LinkPreviews } from './commerce/previews.js';
import { Ingest, RTMP_APP } from './ingest/ingest.js';
import { ConnectionCaps } from './connection-caps.js';
import { eventRoutes } from './origin/api/events.js';
import { liveRoutes } from './origin/api/live.js';
import { metricsRouter } from './metrics/endpoint.js';
import { createMetrics } from './metrics/registry.js';
import { HttpWorkers } from './origin/httpWorkers.js';
import { Origin } from './origin/origin.js';
import { Packager } from './packager/packager.js';
import { LivePosters } from './packager/posters/live-posters.js';
import { ReplayImages } from './packager/posters/replay-images.js';
import { Recorder } from './packager/recording/recorder.js';
import { FrameGrabber } from './transcode/frame-grab.js';
import { vodLibrary } from './packager/recording/vod-library.js';
import { UTC_TIME_PATH } from './media-names.js';
import { StatusView } from './status.js';
import { SqliteChannelRepository } from './store/channels.js';
import { SqliteChatRepository } from './store/chat.js';
import { SqliteRestreamDestinationRepository } from './store/destinations.js';
import { DEFAULT_PUSH_RETRY } from './restream/destination-push.js';
import { FlvTagSplitter } from './restream/flv-splitter.js';
import { Restreamer, restreamTarget } from './restream/restreamer.js';
import { RungFeed } from './restream/rung-feed.js';
import { RungFeeds } from './restream/rung-feeds.js';
import { RtmpPublisher } from './restream/rtmp-publisher.js';
import { SqliteProductRepository } from './store/products.js';
import { SqliteApiTokenRepository, SqliteSellerRepository } from './store/sellers.js';
import { openDatabase } from './store/db.js';
import { SqliteSecretRepository } from './store/secrets.js';
import { SqliteShowRepository } from './store/shows.js';
import { assertSupports, resolveFfmpeg } from './transcode/ffmpeg.js';
import { loadProfiles, type Profile } from './transcode/profile.js';
import { Supervisor } from './transcode/supervisor.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface StartedApp {
  httpPort: number;
  rtmpPort: number;
  /** Bound RTMPS port, when RTMPS is on. */
  rtmpsPort: number | undefined;
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
  const destinations = new SqliteRestreamDestinationRepository(db);
  const sellers = new SqliteSellerRepository(db);
  const tokens = new SqliteApiTokenRepository(db);
  const admin = ensureAdmin({ sellers, tokens, adminToken: config.adminToken });
  if (admin.replacedEnvTokens > 0) {
    log.warn('SHOPCAST_ADMIN_TOKEN changed or was removed: the admin token it set before no longer works');
  }
  const demo = ensureDemoChannel(channels, { products, demoKey: config.demoKey, profile: config.profile });
  if (config.demoKey && !demo.created) {
    log.info('SHOPCAST_DEMO_KEY applies only when the demo channel is created: the channel keeps its stored key');
  }
  const profileFor = (slug: string): Profile => profiles.get(channels.bySlug(slug)?.profile ?? '') ?? defaultProfile;

  // Work folders of earlier versions (FFmpeg wrote files there) are leftovers; runs now write to pipes.
  rmSync(path.join(config.dataDir, 'work'), { recursive: true, force: true });
  const mediaDir = path.join(config.dataDir, 'media');
  mkdirSync(mediaDir, { recursive: true });

  const busLog = log.child({ module: 'events' });
  const bus = new EventBus({ onListenerError: ({ event, err }) => busLog.error({ event, err }, 'event listener failed') });
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
  const recorder = new Recorder({
    bus,
    dir: path.join(config.dataDir, 'recordings'),
    quotaBytes: config.recordingsQuotaMb * 1024 * 1024,
    retentionDays: config.recordingRetentionDays,
    log: log.child({ module: 'recorder' }),
  });
  // One FFmpeg at a time makes every picture (live posters, replays' posters and pin pictures), niced.
  const frames = new FrameGrabber({ ffmpegPath: ffmpeg.path });
  const posters = new LivePosters({
    bus,
    frames,
    postersDir: path.join(config.dataDir, 'posters'),
    intervalS: config.posterIntervalS,
    log: log.child({ module: 'posters' }),
  });
  const supervisor = new Supervisor({
    bus,
    log: log.child({ module: 'supervisor' }),
    ffmpeg,
    profileFor,
    output: packager,
    diskDir: mediaDir,
    stallTimeoutS: config.stallTimeoutS,
  });
  const ingest = new Ingest({
    bus,
    log: log.child({ module: 'ingest' }),
    channels,
    host: config.host,
    port: config.rtmpPort,
    tls: rtmpsFiles(config),
    reconnectWindowS: config.reconnectWindowS,
    maxConnections: config.rtmpMaxConnections,
    maxConnectionsPerAddress: config.rtmpMaxConnectionsPerAddress,
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
    packager: { status: (slug) => packager.status(slug) },
    dataDir: config.dataDir,
    ffmpeg: { path: ffmpeg.path, version: ffmpeg.version, source: ffmpeg.source },
  });
  const shows = new SqliteShowRepository(db);
  const live = new LiveCommerce({
    bus,
    shows,
    chat: new SqliteChatRepository(db),
    products,
    channels,
    status,
    playlists: packager,
    clientHash: clientHasher(new SqliteSecretRepository(db).getOrCreate(CLIENT_HASH_SECRET)),
    chatRetentionDays: config.chatRetentionDays,
    recordings: recorder,
    log: log.child({ module: 'live' }),
  });
  const restreamLog = log.child({ module: 'restream' });
  const rungFeeds = new RungFeeds({
    bus,
    media: packager,
    shortSideOf: (slug, name) => profileFor(slug).rungs.find((rung) => rung.name === name)?.shortSide,
    newFeed: () => new RungFeed(),
    onRefused: (slug, rung, err) => restreamLog.warn({ slug, rung, err }, 'a part of the rung could not be restreamed'),
  });
  const restreamer = new Restreamer({
    bus,
    targets: { enabledOf: (slug) => destinations.enabledBySlug(slug).map(restreamTarget) },
    connect: (target) => RtmpPublisher.connect(target, { log: restreamLog }),
    tagReader: () => new FlvTagSplitter(),
    rungFeed: (slug, rung) => rungFeeds.feed(slug, rung),
    policy: DEFAULT_PUSH_RETRY,
    log: restreamLog,
  });
  const auth = new StoredTokenAuthenticator(tokens);
  const eventStreams = new ConnectionCaps({ perClient: config.eventStreamsPerClient, total: config.eventStreamsMax });
  const metrics = createMetrics({
    bus,
    status,
    live,
    channels,
    destinations,
    restream: restreamer,
    recordings: recorder,
    eventStreams,
    parts: packager,
  });
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
      destinations,
      restream: restreamer,
      bus,
      profiles: [...profiles.keys()],
      defaultProfile: config.profile,
      rungNames: (name) => (profiles.get(name) ?? defaultProfile).rungs.map((rung) => rung.name),
      rtmpServer: () => rtmpServerUrl(config, ingest.port),
      obsSettings: (name) => {
        const profile = profiles.get(name) ?? defaultProfile;
        return {
          bitrateKbps: Math.max(...profile.rungs.map((rung) => rung.videoBitrateKbps)),
          keyframeIntervalS: profile.segmentDurationS,
        };
      },
      extraRoutes: [
        liveRoutes({ live, channels, auth, recordings: recorder }),
        eventRoutes({
          live,
          channels,
          status,
          caps: eventStreams,
        }),
      ],
    },
    posters,
    vod: {
      media: vodLibrary({ recordings: recorder, utcTimingUrl: UTC_TIME_PATH }),
      images: new ReplayImages({
        recordings: recorder,
        pinOffsetS: (showId, pinId) => {
          const replay = live.replay(showId);
          return replay.found ? replay.pins.find((pin) => pin.id === pinId)?.offsetS : undefined;
        },
        frames,
        log: log.child({ module: 'replay-images' }),
      }),
      gone: (showId) => recorder.gone(showId),
    },
    previews: { pages: new LinkPreviews({ channels, shows, recordings: recorder }), publicUrl: config.publicUrl },
    metrics: { http: metrics.http, routes: metricsRouter({ registry: metrics.registry, token: config.metricsToken }) },
    host: config.host,
    port: config.httpPort,
    workers: httpWorkers,
  });

  return {
    async start() {
      metrics.start();
      // Shows an earlier process left inside their reconnect window continue: same show, same ladder, and the seller's
      // publish within the rest of the window is a reconnect. The other shows it left open are ended, before RTMP opens.
      await recorder.start();
      posters.start();
      const resumed = await packager.start();
      // The shows it resumes announce themselves to the recorder, which then closes the recordings of the others.
      live.start(resumed.map((show) => show.slug));
      recorder.settle();
      supervisor.resume(resumed);
      supervisor.start();
      rungFeeds.start();
      restreamer.start();
      ingest.resume(resumed.map(({ slug, startedAtMs, windowEndsAtMs }) => ({ slug, sinceMs: startedAtMs, windowEndsAtMs })));
      try {
        const { port: httpPort } = await origin.start();
        // RTMP last: nothing can publish into a half-started gateway.
        await ingest.start();
        return { httpPort, rtmpPort: ingest.port, rtmpsPort: ingest.tlsPort, demo, adminToken: admin.token };
      } catch (err) {
        await ingest.stop();
        await supervisor.stop();
        await restreamer.stop();
        rungFeeds.stop();
        await packager.stop();
        await recorder.stop();
        await posters.stop();
        await frames.stop();
        live.stop();
        await origin.stop();
        metrics.stop();
        db.close();
        throw err;
      }
    },
    async stop() {
      await ingest.stop();
      await supervisor.stop();
      await restreamer.stop();
      rungFeeds.stop();
      await packager.stop();
      await recorder.stop();
      await posters.stop();
      await frames.stop();
      // Live shows stay open (persisted by the packager) for the next start; ends the event streams so the HTTP server
      // closes at once.
      live.stop();
      await origin.stop();
      metrics.stop();
      db.close();
      log.info('stopped');
    },
  };
}

/** The OBS "Server" setting: what encoders publish to (the stream key goes in its own field). */
export function rtmpServerUrl(config: Pick<Config, 'publicUrl'>, port: number, scheme: 'rtmp' | 'rtmps' = 'rtmp'): string {
  return `${scheme}://${new URL(config.publicUrl).hostname}:${port}/${RTMP_APP}`;
}

/** RTMPS certificate and key, read at start so a wrong path stops shopcast with a clear message. */
function rtmpsFiles(config: Config): { port: number; cert: Buffer; key: Buffer } | undefined {
  const { rtmpsPort, rtmpsCertFile, rtmpsKeyFile } = config;
  if (rtmpsPort === undefined || rtmpsCertFile === undefined || rtmpsKeyFile === undefined) return undefined;
  const read = (file: string, what: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new Error(`RTMPS ${what} ${file} cannot be read: ${(err as Error).message}`, { cause: err });
    }
  };
  return { port: rtmpsPort, cert: read(rtmpsCertFile, 'certificate'), key: read(rtmpsKeyFile, 'key') };
}
