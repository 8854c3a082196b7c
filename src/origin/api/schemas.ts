// The API's data shapes as zod schemas: request bodies are validated with them and the OpenAPI document is built
// from them, so what is checked and what is documented are the same thing.
import { z } from 'zod';
import type { PushPhase } from '../../restream/push-state.js';
import { PASSTHROUGH_RUNG } from '../../transcode/ladder.js';
import { TRANSCODER_STATES } from '../../transcode/transcoder.js';
import { CHANNEL_SLUG, NEW_CHANNEL_SLUG, RUNG_NAME } from '../../media-names.js';

export const slugParam = z.string().regex(CHANNEL_SLUG).meta({ description: 'channel slug' });
export const uuidParam = z.uuid();

export const channelParams = z.object({ slug: slugParam });
export const productParams = z.object({ slug: slugParam, id: uuidParam });

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export const channelStateSchema = z.enum(['offline', 'starting', 'live', 'reconnecting', 'ended']);

export const channelPublicSchema = z.object({
  slug: z.string(),
  title: z.string(),
  description: z.string(),
  state: channelStateSchema,
  playable: z.boolean(),
  masterUrl: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  viewers: z.number().int(),
  show: z.object({ id: z.string(), startedAt: z.string() }).nullable(),
});
export type ChannelPublic = z.infer<typeof channelPublicSchema>;

export const channelAdminSchema = channelPublicSchema.extend({
  profile: z.string(),
  createdAt: z.string(),
  owner: z.object({ id: z.string(), name: z.string() }),
  rtmpServer: z.string().meta({ description: 'OBS "Server"; the stream key goes in OBS "Stream Key"' }),
  obs: z
    .object({ bitrateKbps: z.number().int(), keyframeIntervalS: z.number() })
    .meta({ description: 'recommended OBS output settings for the channel\'s profile' }),
});
export type ChannelAdmin = z.infer<typeof channelAdminSchema>;

export const streamKeySchema = z.object({ streamKey: z.string() });

const title = z.string().trim().min(1).max(120);
const description = z.string().max(2000);

/** `profiles` are the names of the ladder files in profiles/. */
export function newChannelSchema(profiles: readonly string[]) {
  return z.strictObject({
    slug: z.string().regex(NEW_CHANNEL_SLUG, 'expected 1–40 lowercase letters, digits or inner hyphens'),
    title,
    description: description.optional(),
    profile: z.enum(profiles).optional(),
  });
}

export function channelChangesSchema(profiles: readonly string[]) {
  return z.strictObject({ title: title.optional(), description: description.optional(), profile: z.enum(profiles).optional() });
}

export const productSchema = z.object({
  id: z.string(),
  channel: z.string(),
  name: z.string(),
  description: z.string(),
  priceMinor: z.number().int().meta({ description: 'price in minor units of the currency (cents)' }),
  currency: z.string(),
  imageUrl: z.string().nullable(),
  buyUrl: z.string(),
  inStock: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const productFields = {
  name: z.string().trim().min(1).max(120),
  description: z.string().max(2000),
  priceMinor: z.number().int().min(0).max(1_000_000_000),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, { error: 'expected an ISO 4217 code such as "EUR"', abort: true })
    .refine((code) => CURRENCIES.has(code), 'unknown ISO 4217 currency code'),
  imageUrl: z
    .union([
      z.url({ protocol: /^https$/, error: 'expected an https URL or a path starting with "/"' }).max(2048),
      // Same-origin path; "//host" would be another origin, and a backslash is read as "/" by browsers.
      z.string().max(2048).regex(/^\/(?!\/)[^\\\s]*$/, 'expected an https URL or a path starting with "/"'),
    ], { error: 'expected an https URL or a path starting with "/"' })
    .nullable(),
  buyUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).max(2048),
  inStock: z.boolean(),
};

export const newProductSchema = z.strictObject({
  ...productFields,
  description: productFields.description.default(''),
  imageUrl: productFields.imageUrl.default(null),
  inStock: productFields.inStock.default(true),
});

export const productChangesSchema = z.strictObject({
  name: productFields.name.optional(),
  description: productFields.description.optional(),
  priceMinor: productFields.priceMinor.optional(),
  currency: productFields.currency.optional(),
  imageUrl: productFields.imageUrl.optional(),
  buyUrl: productFields.buyUrl.optional(),
  inStock: productFields.inStock.optional(),
});

export const sellerSchema = z.object({ id: z.string(), name: z.string(), role: z.enum(['admin', 'seller']) });

/** A seller's or a token's name: one line of at most 60 characters. */
const labelSchema = z.string().trim().min(1).max(60).regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

export const newSellerSchema = z.strictObject({ name: labelSchema });

export const tokenParams = z.object({ id: uuidParam });

export const tokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  source: z.enum(['issued', 'env']).meta({ description: '"env": set by SHOPCAST_ADMIN_TOKEN (replace it by changing the variable)' }),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  current: z.boolean().meta({ description: 'the token this request was made with' }),
});
export type TokenView = z.infer<typeof tokenSchema>;

/** A token's name tells its owner's tokens apart ("OBS laptop", "shop backend"). */
export const newTokenBodySchema = z.strictObject({ name: labelSchema });

// Operator figures of live streams, typed once here: the admin's /api/streams answers them whole, the seller's health
// route (/api/channels/<slug>/health, the studio's chart) answers a pick of them, and src/status.ts builds both.

export const publishStateSchema = z.enum(['starting', 'live', 'reconnecting']);

export const ingestFiguresSchema = z.object({
  videoCodec: z.string().nullable(),
  audioCodec: z.string().nullable(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  fps: z.number().nullable(),
  bitrateKbps: z.number().nullable(),
  keyframeIntervalS: z.number().nullable(),
  receivedBytes: z.number(),
  idleS: z.number().meta({ description: 'seconds since the last media arrived' }),
});

export const transcoderFiguresSchema = z.object({
  state: z.enum(TRANSCODER_STATES),
  runId: z.string().nullable(),
  pid: z.number().int().nullable(),
  startedAt: z.string().nullable(),
  restarts: z.number().int(),
  lastError: z.string().nullable(),
  speed: z.number().nullable(),
  fps: z.number().nullable(),
  outTimeS: z.number().nullable(),
  rungs: z.array(z.object({
    name: z.string(),
    width: z.number(),
    height: z.number(),
    fps: z.number(),
    videoBitrateKbps: z.number(),
    video: z.enum(['copy', 'h264']),
    audio: z.enum(['copy', 'aac']).nullable(),
  })),
});

export const packagerFiguresSchema = z.object({
  showId: z.string(),
  playable: z.boolean(),
  ended: z.boolean(),
  targetDurationS: z.number(),
  discontinuitySequence: z.number().int(),
  rungs: z.array(z.object({ name: z.string(), mediaSequence: z.number().int(), segments: z.number().int(), lastSegmentAt: z.string().nullable() })),
});

/** One live stream as operators see it (GET /api/streams, admin only: it names FFmpeg pids and errors). */
export const streamReportSchema = z.object({
  slug: z.string(),
  state: publishStateSchema,
  since: z.string(),
  ingest: ingestFiguresSchema.nullable(),
  transcoder: transcoderFiguresSchema.nullable(),
  packager: packagerFiguresSchema.nullable(),
});
export type StreamReport = z.infer<typeof streamReportSchema>;

/** What a seller needs to know about their own stream: no pids, paths or FFmpeg messages. */
export const streamHealthSchema = z.object({
  slug: z.string(),
  state: channelStateSchema,
  since: z.string().nullable().meta({ description: 'when the publisher connected; null while offline' }),
  ingest: ingestFiguresSchema
    .pick({ bitrateKbps: true, fps: true, keyframeIntervalS: true, idleS: true, width: true, height: true, videoCodec: true, audioCodec: true })
    .nullable(),
  transcoder: transcoderFiguresSchema.pick({ state: true, speed: true, fps: true, restarts: true }).nullable(),
});
export type StreamHealth = z.infer<typeof streamHealthSchema>;

/** The gateway's checks (GET /api/health, admin only); /healthz answers just `ok`. */
export const healthReportSchema = z.object({
  ok: z.boolean(),
  checks: z.object({
    dataDir: z.object({ writable: z.boolean(), freeBytes: z.number(), lowDisk: z.boolean(), full: z.boolean().meta({ description: 'too full for new segments: transcoding waits for space' }) }),
    ffmpeg: z.object({ path: z.string(), version: z.string(), source: z.string() }),
    liveStreams: z.number().int(),
    rtmp: z.object({
      connections: z.number().int().meta({ description: 'RTMP(S) connections open now' }),
      listenerRestarts: z.number().int().meta({ description: 'times an RTMP listener failed and was bound again' }),
    }),
    httpWorkers: z.object({ configured: z.number().int(), running: z.number().int(), restarts: z.number().int() }),
  }),
});
export type HealthReport = z.infer<typeof healthReportSchema>;

// Restream destinations: another platform's RTMP(S) ingest and the stream key it gave the seller. The key is written
// through these schemas and never answered: a view carries a hint of its end instead.

export const destinationParams = z.object({ slug: slugParam, id: uuidParam });

/** Every PushPhase (the view's type checks the other direction). */
const PUSH_PHASES = ['idle', 'disabled', 'connecting', 'live', 'retrying'] as const satisfies readonly PushPhase[];

export const pushStateSchema = z.object({
  phase: z.enum(PUSH_PHASES),
  reason: z.string().nullable().meta({ description: 'why the push is retrying; null otherwise' }),
  since: z.string().meta({ description: 'when the push entered this phase' }),
  bitrateKbps: z.number().nullable(),
  failures: z.number().int().meta({ description: 'failed attempts in a row' }),
});

export const destinationSchema = z.object({
  id: z.string(),
  channel: z.string(),
  name: z.string(),
  url: z.string(),
  streamKeyHint: z.string().meta({ description: 'the last characters of the stream key ("…x7Qa"); the key is never answered' }),
  enabled: z.boolean(),
  rung: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  state: pushStateSchema,
});
export type DestinationView = z.infer<typeof destinationSchema>;

const DESTINATION_URL_MAX = 1024;

/** What is wrong with a destination URL, in words that never repeat the URL (it may carry credentials). */
function rtmpUrlProblem(value: string): string | undefined {
  if (/[\s\p{Cc}]/u.test(value)) return 'must not contain spaces or control characters';
  if (!/^rtmps?:\/\//i.test(value)) return 'must start with rtmp:// or rtmps://';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a valid URL';
  }
  if (url.hostname === '') return 'must name a host';
  if (url.username !== '' || url.password !== '') return 'must not contain a user name or password';
  // Once parsed, any '#' starts a fragment (even an empty one, which URL.hash does not show).
  if (value.includes('#')) return 'must not contain a fragment (#)';
  return undefined;
}

const destinationFields = {
  name: z.string().trim().min(1).max(80),
  url: z
    .string()
    .max(DESTINATION_URL_MAX, { abort: true })
    .superRefine((value, ctx) => {
      const problem = rtmpUrlProblem(value);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({ description: 'the platform\'s RTMP(S) ingest URL, e.g. rtmp://a.rtmp.youtube.com/live2' }),
  streamKey: z
    .string()
    .min(1)
    .max(512)
    .regex(/^[\x21-\x7e]*$/, 'must be printable ASCII without spaces')
    .meta({ description: 'secret; answers show only streamKeyHint' }),
  enabled: z.boolean(),
  rung: z
    .string()
    .regex(RUNG_NAME, `expected "${PASSTHROUGH_RUNG}" or a rung name`)
    .meta({
      description: `what to send: "${PASSTHROUGH_RUNG}", the publisher's stream as received (no encode), or a rung of the channel's profile (e.g. "480p"): its encoded video and audio, or the biggest rung of the show no bigger than it`,
    }),
};

export const newDestinationSchema = z.strictObject({
  ...destinationFields,
  enabled: destinationFields.enabled.default(true),
  rung: destinationFields.rung.default(PASSTHROUGH_RUNG),
});

export const destinationChangesSchema = z.strictObject(destinationFields).partial();
