// Composition root: builds every module, wires them through the event bus, starts and stops them in order.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './config.js';
import { EventBus } from './events.js';
import type { Logger } from './log.js';
import { ensureDemoChannel, type DemoChannel } from './commerce/demo.js';
import { Ingest } from './ingest/ingest.js';
import { Origin } from './origin/origin.js';
import { Packager } from './packager/packager.js';
import { StatusView } from './status.js';
import { SqliteChannelRepository } from './store/channels.js';
import { openDatabase } from './store/db.js';
import { assertSupports, resolveFfmpeg } from './transcode/ffmpeg.js';
import { loadProfiles, type Profile } from './transcode/profile.js';
import { Supervisor } from './transcode/supervisor.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface StartedApp {
  httpPort: number;
  rtmpPort: number;
  demo: DemoChannel;
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
  const demo = ensureDemoChannel(channels, { demoKey: config.demoKey, profile: config.profile });
  const profileFor = (slug: string): Profile => profiles.get(channels.bySlug(slug)?.profile ?? '') ?? defaultProfile;

  // Work folders of a previous process are orphans: its FFmpeg runs died with it.
  const workRoot = path.join(config.dataDir, 'work');
  rmSync(workRoot, { recursive: true, force: true });
  mkdirSync(workRoot, { recursive: true });
  const mediaDir = path.join(config.dataDir, 'media');
  mkdirSync(mediaDir, { recursive: true });

  const bus = new EventBus();
  const packager = new Packager({
    bus,
    mediaDir,
    windowSegments: config.playlistWindowSegments,
    segmentGraceS: config.segmentGraceS,
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
  const status = new StatusView({
    channels,
    ingest,
    transcoder: supervisor,
    packager: { status: (slug) => packager.status(slug), statusJson: (slug) => packager.status(slug) },
    dataDir: config.dataDir,
    ffmpeg: { path: ffmpeg.path, version: ffmpeg.version, source: ffmpeg.source },
  });
  const origin = new Origin({
    media: packager,
    status,
    log: log.child({ module: 'origin' }),
    publicDir: path.join(ROOT, 'public'),
    host: config.host,
    port: config.httpPort,
  });

  return {
    async start() {
      await packager.start();
      supervisor.start();
      try {
        const { port: httpPort } = await origin.start();
        // RTMP last: nothing can publish into a half-started gateway.
        await ingest.start();
        return { httpPort, rtmpPort: ingest.port, demo };
      } catch (err) {
        await supervisor.stop();
        await packager.stop();
        await origin.stop();
        db.close();
        throw err;
      }
    },
    async stop() {
      await ingest.stop();
      await supervisor.stop();
      await packager.stop();
      await origin.stop();
      db.close();
      log.info('stopped');
    },
  };
}
