// HTTP errors as data, and the one place that turns any error into the single JSON answer clients and CDNs see.
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../log.js';
import { clientOf } from '../client-address.js';

export interface HttpErrorOptions {
  status: number;
  /** Stable machine-readable code, e.g. 'not_found'. */
  code: string;
  message: string;
  /** Extra response headers the answer needs (e.g. Content-Range on 416). */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(opts: HttpErrorOptions) {
    super(opts.message, { cause: opts.cause });
    this.name = 'HttpError';
    this.status = opts.status;
    this.code = opts.code;
    this.headers = opts.headers ?? {};
  }
}

/** The only error body shopcast's HTTP surface ever sends. */
export interface ErrorBody {
  error: { code: string; message: string };
}

export function notFound(message = 'not found'): HttpError {
  return new HttpError({ status: 404, code: 'not_found', message });
}

export function badRequest(message: string): HttpError {
  return new HttpError({ status: 400, code: 'bad_request', message });
}

/** No bearer token, or one that belongs to nobody; the header tells clients which scheme to use. */
export function unauthorized(message = 'a valid bearer token is required'): HttpError {
  return new HttpError({ status: 401, code: 'unauthorized', message, headers: { 'WWW-Authenticate': 'Bearer' } });
}

/** A known caller that may not do this; `code` lets a refusal say why in machine terms (e.g. 'muted'). */
export function forbidden(message = 'forbidden', code = 'forbidden'): HttpError {
  return new HttpError({ status: 403, code, message });
}

/** What was here was deleted on purpose: it will not come back (a CDN may remember that). */
export function gone(message = 'gone'): HttpError {
  return new HttpError({ status: 410, code: 'gone', message });
}

/** The request is valid but clashes with current state (slug taken, channel live, already pinned...). */
export function conflict(message: string): HttpError {
  return new HttpError({ status: 409, code: 'conflict', message });
}

export function payloadTooLarge(message: string): HttpError {
  return new HttpError({ status: 413, code: 'payload_too_large', message });
}

export function unsupportedMediaType(message = 'expected Content-Type: application/json'): HttpError {
  return new HttpError({ status: 415, code: 'unsupported_media_type', message });
}

/** Rate limited; Retry-After (whole seconds, at least 1) says when trying again can succeed. */
export function tooManyRequests(retryAfterS: number, message = 'too many requests'): HttpError {
  const seconds = Math.max(1, Math.ceil(retryAfterS));
  return new HttpError({ status: 429, code: 'too_many_requests', message, headers: { 'Retry-After': String(seconds) } });
}

/** Over a limit of the whole server (not of this client); Retry-After says when trying again may succeed. */
export function serviceUnavailable(retryAfterS: number, message = 'the server is busy'): HttpError {
  const seconds = Math.max(1, Math.ceil(retryAfterS));
  return new HttpError({ status: 503, code: 'unavailable', message, headers: { 'Retry-After': String(seconds) } });
}

/** Codes for errors raised by express and send (bad URI encoding, vanished file, unsatisfiable range...). */
const CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  412: 'precondition_failed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  416: 'range_not_satisfiable',
};

function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { status, statusCode } = err as { status?: unknown; statusCode?: unknown };
  const value = typeof status === 'number' ? status : statusCode;
  return typeof value === 'number' && value >= 400 && value <= 599 ? value : undefined;
}

function stringHeaders(err: unknown): Record<string, string> {
  const headers = (err as { headers?: unknown }).headers;
  if (typeof headers !== 'object' || headers === null) return {};
  return Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/**
 * Maps anything thrown to an HttpError. Messages of foreign errors are never passed on: a file error from send
 * names an absolute path on disk.
 */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const status = statusOf(err);
  if (status === undefined || status >= 500) {
    return new HttpError({ status: 500, code: 'internal', message: 'internal server error', cause: err });
  }
  return new HttpError({
    status,
    code: CODES[status] ?? 'client_error',
    message: (STATUS_CODES[status] ?? 'client error').toLowerCase(),
    headers: status === 416 ? stringHeaders(err) : {},
    cause: err,
  });
}

/** Falls through to here when no route answered. */
export const unmatched: RequestHandler = (req, _res, next) => {
  next(notFound(`no route for ${req.method} ${req.path}`));
};

/** Content headers a half-prepared success answer may have set before it failed. */
const CONTENT_HEADERS = ['Content-Type', 'Content-Length', 'Content-Range', 'Content-Disposition', 'ETag', 'Last-Modified', 'Accept-Ranges'];

/**
 * Writes the one JSON error answer (uncached) for anything thrown; a response already under way is cut instead.
 * Shared by the express routes and the plain media handler.
 */
export function sendError(res: ServerResponse, err: unknown, headers: Readonly<Record<string, string>> = {}): HttpError {
  const httpError = toHttpError(err);
  if (res.headersSent) {
    // The body is already on its way: the only honest signal left is a cut connection.
    res.destroy();
    return httpError;
  }
  for (const name of CONTENT_HEADERS) res.removeHeader(name);
  const body = JSON.stringify({ error: { code: httpError.code, message: httpError.message } } satisfies ErrorBody);
  res.writeHead(httpError.status, {
    ...headers,
    ...httpError.headers,
    'Cache-Control': 'no-store',
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
  return httpError;
}

/** Refusals an operator wants to see at the default level: auth, limits, abuse. 404s (scanners) stay at debug. */
const QUIET_REFUSALS = new Set([404]);

/**
 * The error handler of the express routes: one answer and one log line per refusal, with the client (as its limits
 * key it) and the reason. Reasons never carry a token or a key: no message of ours includes one.
 */
export function errorHandler(opts: { log: Logger }): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const httpError = sendError(res, err);
    if (httpError.status >= 500 && httpError.code === 'internal') {
      opts.log.error({ err, method: req.method, url: req.originalUrl, client: clientOf(req) }, 'request failed');
      return;
    }
    const line = {
      status: httpError.status,
      code: httpError.code,
      reason: httpError.message,
      client: clientOf(req),
      method: req.method,
      url: req.originalUrl,
    };
    if (QUIET_REFUSALS.has(httpError.status)) opts.log.debug(line, 'request refused');
    else opts.log.info(line, 'request refused');
  };
}
