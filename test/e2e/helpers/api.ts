// Calls shopcast's JSON API as a client would: optional bearer token, JSON (or raw) body, parsed answer.
import type { Shopcast } from './shopcast.js';

export interface Answer<T = unknown> {
  status: number;
  body: T;
}

export interface ErrorAnswer {
  error: { code: string; message: string };
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as it is, instead of `body` as JSON. */
  raw?: string;
  /** Content-Type of the body (default application/json). */
  type?: string;
}

export async function call<T = unknown>(sc: Shopcast, method: string, path: string, opts: CallOptions = {}): Promise<Answer<T>> {
  const payload = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const res = await fetch(sc.httpUrl + path, {
    method,
    headers: {
      ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
      ...(payload !== undefined ? { 'Content-Type': opts.type ?? 'application/json' } : {}),
    },
    body: payload,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}
