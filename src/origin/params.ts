// Strict validation of URL parameters, before any of them reaches a lookup or a file system path.
import { badRequest } from './errors.js';

const PATTERNS = {
  slug: /^[a-z0-9][a-z0-9-]{0,62}$/,
  rung: /^[a-z0-9]{1,16}$/,
  file: /^[a-z0-9]+-(?:init\d+\.mp4|\d+\.m4s)$/,
} as const;

export type ParamName = keyof typeof PATTERNS;

/** Returns the value if it is a well-formed `name`, else throws a 400 HttpError. */
export function validParam(name: ParamName, value: string | undefined): string {
  if (value === undefined || !PATTERNS[name].test(value)) throw badRequest(`invalid ${name}`);
  return value;
}

export function isValidSlug(value: string): boolean {
  return PATTERNS.slug.test(value);
}
