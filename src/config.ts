// One typed, validated configuration: defaults, then an optional JSON file, then environment variables.
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);

const schema = z.object({
  host: z.string().min(1).default('0.0.0.0'),
  httpPort: port.default(8080),
  rtmpPort: port.default(1935),
  /** RTMPS ingest (OBS: rtmps://HOST:PORT/live); off unless set, and then needs the certificate and key files. */
  rtmpsPort: port.optional(),
  /** PEM certificate chain for RTMPS. */
  rtmpsCertFile: z.string().min(1).optional(),
  /** PEM private key for RTMPS. */
  rtmpsKeyFile: z.string().min(1).optional(),
  /** RTMP(S) connections open at once, in all: the rest of the file descriptors are HTTP's. */
  rtmpMaxConnections: z.coerce.number().int().min(1).max(100_000).default(500),
  /** RTMP(S) connections open at once from one client address (IPv6: one /64). */
  rtmpMaxConnectionsPerAddress: z.coerce.number().int().min(1).max(10_000).default(10),
  dataDir: z.string().min(1).default('./data'),
  /** Base URL printed and used in pages' links; default `http://localhost:<httpPort>`. */
  publicUrl: z.url().optional(),
  /** How long a dropped publisher may come back before the show ends. */
  reconnectWindowS: z.coerce.number().min(0).max(3600).default(30),
  /** Stream key of the demo channel; random (and printed once) when unset. */
  demoKey: z.string().regex(/^[A-Za-z0-9_-]{22,128}$/, 'must be 22–128 characters of A–Z a–z 0–9 _ -').optional(),
  adminToken: z.string().min(16).optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ffmpegPath: z.string().min(1).optional(),
  /** Ladder profile used by channels that do not name one (a file in profiles/). */
  profile: z.string().regex(/^[a-z0-9-]+$/).default('default'),
  /** Segments kept in a live media playlist. */
  playlistWindowSegments: z.coerce.number().int().min(3).max(60).default(6),
  /** Seconds a segment stays on disk after it left every playlist (players and CDNs may still be fetching it). */
  segmentGraceS: z.coerce.number().min(0).max(600).default(30),
  /**
   * Extra processes answering public media on the HTTP port. Two cores are left to the gateway and FFmpeg: on a
   * 2-core machine a worker only competes with them for CPU (measured: no more requests/s, 50–60 MiB more memory).
   */
  httpWorkers: z.coerce.number().int().min(0).max(16).default(Math.min(Math.max(availableParallelism() - 2, 0), 4)),
  /** Seconds without transcoder progress, while media keeps arriving, before FFmpeg is restarted. */
  stallTimeoutS: z.coerce.number().min(2).max(120).default(10),
  /** Days chat messages are kept (then deleted with the sender's client hash); shows keep their other stats. */
  chatRetentionDays: z.coerce.number().int().min(1).max(3650).default(30),
  /**
   * Live event streams one client address (an IPv6 /64) may hold open. Generous, because a household, an office or a
   * carrier NAT shares one address; what it stops is one machine holding thousands of sockets.
   */
  eventStreamsPerClient: z.coerce.number().int().min(1).max(10_000).default(32),
  /**
   * Live event streams open at once in all: beyond it new ones get 503 rather than the gateway running out of memory.
   * Each costs about 30 KiB (measured), so the default bounds them to about 150 MiB; raise it for a bigger audience.
   */
  eventStreamsMax: z.coerce.number().int().min(1).max(1_000_000).default(5_000),
  /**
   * MiB all recordings may take together (under dataDir/recordings). A recording that would pass it stops, with its
   * status saying so; the live show goes on. The default ladder of a 720p show takes about 2.5 GiB an hour (5.8 Mb/s).
   */
  recordingsQuotaMb: z.coerce.number().min(0).max(100_000_000).default(20_480),
  /** Days a show's recording is kept after the show; 0 keeps recordings until their seller deletes them. */
  recordingRetentionDays: z.coerce.number().int().min(0).max(36_500).default(30),
  /** Seconds between two pictures of a live channel's poster. */
  posterIntervalS: z.coerce.number().min(1).max(3600).default(5),
  /** Bearer token GET /metrics asks for; unset, it is open (scrapes usually come over a private network). */
  metricsToken: z.string().min(16).optional(),
}).superRefine((config, ctx) => {
  if (config.rtmpsPort === undefined) return;
  for (const key of ['rtmpsCertFile', 'rtmpsKeyFile'] as const) {
    if (config[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'required when RTMPS is on (rtmpsPort set)' });
  }
});

export type Config = Omit<z.infer<typeof schema>, 'publicUrl'> & { publicUrl: string };

/** Environment variable for each setting (DESIGN.md's configuration table). */
const ENV: Record<keyof Config, string> = {
  host: 'SHOPCAST_HOST',
  httpPort: 'SHOPCAST_HTTP_PORT',
  rtmpPort: 'SHOPCAST_RTMP_PORT',
  rtmpsPort: 'SHOPCAST_RTMPS_PORT',
  rtmpsCertFile: 'SHOPCAST_RTMPS_CERT',
  rtmpsKeyFile: 'SHOPCAST_RTMPS_KEY',
  rtmpMaxConnections: 'SHOPCAST_RTMP_MAX_CONNECTIONS',
  rtmpMaxConnectionsPerAddress: 'SHOPCAST_RTMP_MAX_CONNECTIONS_PER_ADDRESS',
  dataDir: 'SHOPCAST_DATA_DIR',
  publicUrl: 'SHOPCAST_PUBLIC_URL',
  reconnectWindowS: 'SHOPCAST_RECONNECT_WINDOW_S',
  demoKey: 'SHOPCAST_DEMO_KEY',
  adminToken: 'SHOPCAST_ADMIN_TOKEN',
  logLevel: 'SHOPCAST_LOG_LEVEL',
  ffmpegPath: 'FFMPEG_PATH',
  profile: 'SHOPCAST_PROFILE',
  playlistWindowSegments: 'SHOPCAST_PLAYLIST_WINDOW_SEGMENTS',
  segmentGraceS: 'SHOPCAST_SEGMENT_GRACE_S',
  stallTimeoutS: 'SHOPCAST_STALL_TIMEOUT_S',
  httpWorkers: 'SHOPCAST_HTTP_WORKERS',
  chatRetentionDays: 'SHOPCAST_CHAT_RETENTION_DAYS',
  eventStreamsPerClient: 'SHOPCAST_EVENT_STREAMS_PER_CLIENT',
  eventStreamsMax: 'SHOPCAST_EVENT_STREAMS_MAX',
  recordingsQuotaMb: 'SHOPCAST_RECORDINGS_QUOTA_MB',
  recordingRetentionDays: 'SHOPCAST_RECORDING_RETENTION_DAYS',
  posterIntervalS: 'SHOPCAST_POSTER_INTERVAL_S',
  metricsToken: 'SHOPCAST_METRICS_TOKEN',
};

export class ConfigError extends Error {}

function readFile(file: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError(`${file}: expected a JSON object`);
    }
    return parsed as Record<string, unknown>;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`${file}: ${(err as Error).message}`);
  }
}

/**
 * Builds the configuration. The file is `SHOPCAST_CONFIG` if set, else `./shopcast.json` if it exists.
 * Throws ConfigError naming every invalid setting and where it came from.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const explicit = env.SHOPCAST_CONFIG;
  const file = explicit ?? path.join(cwd, 'shopcast.json');
  const fromFile = explicit !== undefined || existsSync(file) ? readFile(file) : {};
  const merged: Record<string, unknown> = { ...fromFile };
  for (const [key, name] of Object.entries(ENV)) {
    const value = env[name];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  const result = schema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      const source = key in ENV ? `${ENV[key as keyof Config]} / "${key}"` : key || 'config';
      return `${source}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const resolve = (file: string | undefined): string | undefined => (file === undefined ? undefined : path.resolve(cwd, file));
  return {
    ...result.data,
    publicUrl: result.data.publicUrl ?? `http://localhost:${result.data.httpPort}`,
    dataDir: path.resolve(cwd, result.data.dataDir),
    rtmpsCertFile: resolve(result.data.rtmpsCertFile),
    rtmpsKeyFile: resolve(result.data.rtmpsKeyFile),
  };
}
