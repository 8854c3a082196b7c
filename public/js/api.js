// fetch() for shopcast's JSON API: bearer token on request, `{ error: { code, message } }` turned into ApiError.

export class ApiError extends Error {
  /**
   * @param {number} status  HTTP status (0: no answer)
   * @param {string} code
   * @param {string} message
   * @param {number | null} retryAfterS
   */
  constructor(status, code, message, retryAfterS = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfterS = retryAfterS;
  }
}

/**
 * @param {string} path  e.g. '/api/me'
 * @param {{ method?: string, body?: unknown, token?: string | null, timeoutMs?: number }} [opts]
 * @returns {Promise<any>}  the parsed JSON body, or null for 204
 */
export async function api(path, opts = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method: opts.method ?? 'GET',
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      cache: 'no-store',
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    });
  } catch {
    throw new ApiError(0, 'network', "Couldn't reach shopcast. Check your connection and try again.");
  }
  if (res.status === 204) return null;
  const body = await res.json().catch(() => null);
  if (res.ok) return body;
  const error = body && typeof body === 'object' ? body.error : null;
  const retry = Number(res.headers.get('Retry-After'));
  throw new ApiError(
    res.status,
    typeof error?.code === 'string' ? error.code : `http_${res.status}`,
    typeof error?.message === 'string' ? error.message : `Request failed (HTTP ${res.status})`,
    Number.isFinite(retry) && retry > 0 ? retry : null,
  );
}

/**
 * Counts one buy click without holding up the new tab: a keepalive POST survives the page going to the background.
 * The JSON body is required by the server: it is what keeps other sites from counting clicks (they would need a CORS
 * preflight).
 * @param {string} slug
 * @param {string} productId
 */
export function countBuyClick(slug, productId) {
  const url = `/api/channels/${encodeURIComponent(slug)}/products/${encodeURIComponent(productId)}/clicks`;
  const headers = { 'Content-Type': 'application/json' };
  fetch(url, { method: 'POST', keepalive: true, cache: 'no-store', headers, body: '{}' }).catch(() => {
    // A lost click count must never get in the way of buying.
  });
}
