// Express helpers every /api route uses: bearer-token auth, channel ownership, zod validation whose messages name
// the field, and defineRoute, which mounts a route and documents it in one step.
import express, { type Request, type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import type { Caller, TokenAuthenticator } from '../../commerce/auth.js';
import type { Channel, ChannelRepository, Seller } from '../../store/ports.js';
import { badRequest, forbidden, notFound, payloadTooLarge, unauthorized, unsupportedMediaType } from '../errors.js';
import { pathParams, type OpenApiRegistry, type RouteAuth, type RouteSpec } from '../openapi.js';

export { OpenApiRegistry, type HttpMethod, type RouteAuth, type RouteResponse, type RouteSpec } from '../openapi.js';
export { clientOf } from '../../client-address.js';

const BODY_LIMIT_BYTES = 64 * 1024;

/** A request that passed requireSeller or requireAdmin. */
export interface AuthedRequest extends Request {
  caller: Caller;
}

/** The gates this module made, and what each one lets through: defineRoute checks a route's spec against them. */
const AUTH_GATES = new WeakMap<RequestHandler, Exclude<RouteAuth, 'public'>>();

/** The bearer token of the request, undefined without an Authorization header, 401 for another kind of header. */
export function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  if (header === undefined) return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  if (!match) throw unauthorized('expected "Authorization: Bearer <token>"');
  return match[1];
}

function authenticated(auth: TokenAuthenticator, token: string): Caller {
  const caller = auth.authenticate(token);
  if (!caller) throw unauthorized('invalid or revoked token');
  return caller;
}

function gate(kind: Exclude<RouteAuth, 'public'>, handler: RequestHandler): RequestHandler {
  AUTH_GATES.set(handler, kind);
  return handler;
}

/** Who the request's bearer token belongs to; 401 without a valid one. */
function requiredCaller(auth: TokenAuthenticator, req: Request): Caller {
  const token = bearerToken(req);
  if (token === undefined) throw unauthorized();
  return authenticated(auth, token);
}

/** 401 unless the request carries a valid bearer token; then `sellerOf(req)` is the caller. */
export function requireSeller(auth: TokenAuthenticator): RequestHandler {
  return gate('seller', (req, _res, next) => {
    (req as AuthedRequest).caller = requiredCaller(auth, req);
    next();
  });
}

/** requireSeller, and 403 unless the caller is an admin. */
export function requireAdmin(auth: TokenAuthenticator): RequestHandler {
  return gate('admin', (req, _res, next) => {
    const caller = requiredCaller(auth, req);
    if (caller.seller.role !== 'admin') throw forbidden('only an admin may do this');
    (req as AuthedRequest).caller = caller;
    next();
  });
}

/** Public, but a valid token identifies the caller (`callerOf(req)`); a token that is sent must be valid (401). */
export function optionalSeller(auth: TokenAuthenticator): RequestHandler {
  return gate('optional', (req, _res, next) => {
    const token = bearerToken(req);
    if (token !== undefined) (req as AuthedRequest).caller = authenticated(auth, token);
    next();
  });
}

/** The caller identified by optionalSeller, if any. */
export function callerOf(req: Request): Seller | undefined {
  return (req as Partial<AuthedRequest>).caller?.seller;
}

/** The caller; only for routes behind requireSeller/requireAdmin (401 otherwise, so a missing gate fails closed). */
export function sellerOf(req: Request): Seller {
  const seller = callerOf(req);
  if (!seller) throw unauthorized();
  return seller;
}

/** Id of the token the request was made with; only for routes behind requireSeller/requireAdmin. */
export function tokenIdOf(req: Request): string {
  const caller = (req as Partial<AuthedRequest>).caller;
  if (!caller) throw unauthorized();
  return caller.tokenId;
}

/** The channel `slug`, else 404. */
export function knownChannel(channels: Pick<ChannelRepository, 'bySlug'>, slug: string): Channel {
  const channel = channels.bySlug(slug);
  if (!channel) throw notFound('unknown channel');
  return channel;
}

/** The seller may manage the channel: its owner, or an admin. */
export function manages(seller: Seller, channel: Channel): boolean {
  return seller.role === 'admin' || channel.sellerId === seller.id;
}

/** The channel `slug` if the caller owns it or is an admin: 404 unknown, 403 someone else's. */
export function ownedChannel(req: Request, channels: Pick<ChannelRepository, 'bySlug'>, slug: string): Channel {
  const seller = sellerOf(req);
  const channel = knownChannel(channels, slug);
  if (!manages(seller, channel)) throw forbidden('not your channel');
  return channel;
}

/** Plain words for zod's issues, used when a schema does not carry its own message. */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return 'required';
      const expected = issue.expected === 'int' ? 'integer' : issue.expected;
      return `expected ${/^[aeiou]/.test(expected) ? 'an' : 'a'} ${expected}`;
    }
    case 'too_big': {
      const max = String(issue.maximum);
      if (issue.origin === 'string') return `too long (at most ${max} characters)`;
      if (issue.origin === 'array' || issue.origin === 'set') return `too many items (at most ${max})`;
      return issue.inclusive === false ? `must be less than ${max}` : `must be at most ${max}`;
    }
    case 'too_small': {
      const min = String(issue.minimum);
      if (issue.origin === 'string') return issue.minimum === 1 ? 'must not be empty' : `too short (at least ${min} characters)`;
      if (issue.origin === 'array' || issue.origin === 'set') return `too few items (at least ${min})`;
      return issue.inclusive === false ? `must be more than ${min}` : `must be at least ${min}`;
    }
    case 'invalid_format':
      return issue.format === 'url' ? 'expected a URL' : `invalid ${issue.format}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return 'invalid value';
    default:
      return undefined;
  }
}

/** `priceMinor: expected an integer; name: too long (at most 120 characters)`; `where` names the whole value. */
function issuesMessage(error: z.ZodError, where: string): string {
  const parts: string[] = [];
  for (const issue of error.issues) {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : where;
    if (issue.code === 'unrecognized_keys') {
      const prefix = issue.path.length > 0 ? `${field}.` : '';
      for (const key of issue.keys) parts.push(`${prefix}${key}: unknown field`);
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      // Said plainly even where the schema has its own message (which is about the value's shape, e.g. a URL).
      parts.push(`${field}: required`);
    } else {
      parts.push(`${field}: ${issue.message}`);
    }
  }
  return parts.join('; ');
}

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value, { error: describeIssue, reportInput: true });
  if (!result.success) throw badRequest(issuesMessage(result.error, where));
  return result.data;
}

/** The JSON body as `schema` describes it, else 400 naming each bad field. */
export function parseBody<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  if (req.body === undefined) throw badRequest('body: expected a JSON object');
  return parse(schema, req.body, 'body');
}

/** The query string as `schema` describes it, else 400 naming the parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  return parse(schema, req.query, 'query');
}

/** Path parameters as `schema` describes them, else 400 `invalid <name>` (a bad URL part is just wrong). */
export function parseParams<S extends z.ZodObject>(schema: S, req: Request): z.infer<S> {
  const result = schema.safeParse(req.params);
  if (!result.success) throw badRequest(`invalid ${result.error.issues.map((i) => String(i.path[0] ?? 'path')).join(', ')}`);
  return result.data;
}

const jsonParser = express.json({ limit: BODY_LIMIT_BYTES, strict: true, type: () => true });

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Parses a JSON body into req.body, answering 415 for other types, 413 above the limit and 400 for bad JSON. */
const jsonBody: RequestHandler = (req, res, next) => {
  if (!hasBody(req)) return next();
  if (!req.is('application/json')) throw unsupportedMediaType();
  // Refused before reading: the parser would first drain whatever was announced, however large, however slowly.
  if (Number(req.headers['content-length']) > BODY_LIMIT_BYTES) {
    res.set('Connection', 'close');
    throw payloadTooLarge(`body: larger than ${BODY_LIMIT_BYTES / 1024} KiB`);
  }
  jsonParser(req, res, (err?: unknown) => {
    const type = (err as { type?: unknown } | undefined)?.type;
    if (type === 'entity.too.large') return next(payloadTooLarge(`body: larger than ${BODY_LIMIT_BYTES / 1024} KiB`));
    if (type === 'entity.parse.failed') return next(badRequest('body: malformed JSON'));
    if (type === 'charset.unsupported' || type === 'encoding.unsupported') return next(unsupportedMediaType('body: unsupported charset or encoding'));
    next(err);
  });
};

/**
 * Mounts a route on `router` and records it in `registry`. Routes that need a caller pass the gate made by
 * requireSeller/requireAdmin/optionalSeller as their first handler; it must agree with `spec.auth`, so the document
 * states the truth. Order of checks: auth (401/403), path and query parameters (400), body (415/413/400), handlers.
 */
export function defineRoute(router: Router, registry: OpenApiRegistry, spec: RouteSpec, ...handlers: RequestHandler[]): void {
  const where = `${spec.method.toUpperCase()} ${spec.path}`;
  const [first, ...rest] = handlers;
  if (first === undefined) throw new Error(`${where}: no handler`);
  const gateKind = AUTH_GATES.get(first);
  if (spec.auth === 'public' ? gateKind !== undefined : gateKind !== spec.auth) {
    throw new Error(`${where}: spec.auth is "${spec.auth}" but the first handler is ${gateKind ? `a "${gateKind}" gate` : 'not an auth gate'}`);
  }
  if (rest.some((h) => AUTH_GATES.has(h))) throw new Error(`${where}: the auth gate must be the first handler`);
  const names = pathParams(spec.path);
  const declared = Object.keys(spec.params?.shape ?? {});
  if (names.join() !== declared.join()) {
    throw new Error(`${where}: spec.params declares [${declared.join(', ')}] but the path has [${names.join(', ')}]`);
  }
  registry.add(spec);

  const chain: RequestHandler[] = gateKind ? [first] : [];
  const { params, query, body } = spec;
  // Validated here even if a handler forgets to: a malformed parameter never reaches a lookup.
  if (params) {
    chain.push((req, _res, next) => {
      parseParams(params, req);
      next();
    });
  }
  if (query) {
    chain.push((req, _res, next) => {
      parseQuery(query, req);
      next();
    });
  }
  if (body) chain.push(jsonBody);
  chain.push(...(gateKind ? rest : handlers));
  router[spec.method](spec.path, ...chain);
}
