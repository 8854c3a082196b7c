// Strict validation of URL parameters, before any of them reaches a lookup or a file system path.
import { CHANNEL_SLUG, MEDIA_FILE_NAME, RUNG_NAME } from '../media-names.js';
import { badRequest } from './errors.js';

const PATTERNS = { slug: CHANNEL_SLUG, rung: RUNG_NAME, file: MEDIA_FILE_NAME } as const;

export type ParamName = keyof typeof PATTERNS;

/** Returns the value if it is a well-formed `name`, else throws a 400 HttpError. */
export function validParam(name: ParamName, value: string | undefined): string {
  if (value === undefined || !PATTERNS[name].test(value)) throw badRequest(`invalid ${name}`);
  return value;
}
