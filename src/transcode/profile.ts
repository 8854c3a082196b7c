// Ladder profiles are data (profiles/*.json), validated once at start so a bad file stops the gateway, not a show.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { RUNG_NAME } from '../media-names.js';

const X264_PRESETS = [
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
] as const;
const X264_TUNES = ['film', 'animation', 'grain', 'stillimage', 'fastdecode', 'zerolatency'] as const;

const rungSchema = z.strictObject({
  /** URL path segment of the rendition; 'source' is reserved for the passthrough rung. */
  name: z
    .string()
    .regex(RUNG_NAME, 'must be 1 to 16 lowercase letters and digits')
    .refine((name) => name !== 'source', "'source' is reserved for the passthrough rung"),
  /** Short side in pixels (the height of a landscape picture, the width of a portrait one). */
  shortSide: z.number().int().min(64).max(4320).multipleOf(2, 'must be even (4:2:0 video)'),
  videoBitrateKbps: z.number().int().min(50).max(100_000),
  maxFps: z.number().min(1).max(120),
  /**
   * Audio of this rung encoded at this rate when it is below the profile's (or the copied source's): the low rungs of
   * a weak mobile link cannot carry 128 kb/s of audio beside their video. Same codec, channels and sample rate as the
   * other rungs, so a switch changes nothing but the rate.
   */
  audioBitrateKbps: z.number().int().min(32).max(512).optional(),
});

const profileSchema = z
  .strictObject({
    description: z.string().optional(),
    segmentDurationS: z.number().min(1).max(10),
    /** Offer the publisher's own H.264 as a rung when its keyframes fit the segment duration. */
    passthrough: z.boolean(),
    video: z.strictObject({
      preset: z.enum(X264_PRESETS),
      tune: z.enum(X264_TUNES).nullable().default(null),
      /** Peak (VBV maxrate) relative to the target bitrate. */
      maxrateRatio: z.number().min(1).max(3),
      /** VBV buffer in seconds of maxrate: smaller keeps segment sizes closer to the target. */
      bufferS: z.number().min(0.25).max(10),
    }),
    audio: z.strictObject({
      bitrateKbps: z.number().int().min(32).max(512),
      sampleRate: z.union([z.literal(44100), z.literal(48000)]),
    }),
    rungs: z.array(rungSchema).min(1),
  })
  .superRefine((profile, ctx) => {
    const names = new Set<string>();
    const sides = new Set<number>();
    profile.rungs.forEach((rung, i) => {
      const problem = (field: string, message: string): void => {
        ctx.addIssue({ code: 'custom', path: ['rungs', i, field], message });
      };
      if (names.has(rung.name)) problem('name', `duplicate rung name '${rung.name}'`);
      if (sides.has(rung.shortSide)) problem('shortSide', `two rungs have shortSide ${rung.shortSide}`);
      names.add(rung.name);
      sides.add(rung.shortSide);
    });
  });

type ProfileData = z.infer<typeof profileSchema>;

export type ProfileRung = ProfileData['rungs'][number];

export interface Profile extends ProfileData {
  /** File name without `.json`; channels refer to profiles by it. */
  name: string;
  /** Highest rung first. */
  rungs: ProfileRung[];
}

export class ProfileError extends Error {}

/** Validates one profile's parsed JSON; `file` only names the source in error messages. */
export function parseProfile({ name, file, json }: { name: string; file: string; json: unknown }): Profile {
  const result = profileSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const field = issue.path.map(String).join('.') || '(root)';
      return `${field}: ${issue.message}`;
    });
    throw new ProfileError(`${file}: invalid profile\n  ${problems.join('\n  ')}`);
  }
  const profile = result.data;
  return { ...profile, name, rungs: [...profile.rungs].sort((a, b) => b.shortSide - a.shortSide) };
}

/** Loads every `*.json` in `dir` as a profile named after its file. */
export async function loadProfiles(dir: string): Promise<Map<string, Profile>> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.json')).sort();
  const profiles = new Map<string, Profile>();
  for (const file of files) {
    const name = path.basename(file, '.json');
    const full = path.join(dir, file);
    if (!/^[a-z0-9-]+$/.test(name)) throw new ProfileError(`${full}: profile file names must match [a-z0-9-]+.json`);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(full, 'utf8'));
    } catch (err) {
      throw new ProfileError(`${full}: ${(err as Error).message}`);
    }
    profiles.set(name, parseProfile({ name, file: full, json }));
  }
  if (profiles.size === 0) throw new ProfileError(`${dir}: no ladder profiles (*.json) found`);
  return profiles;
}
