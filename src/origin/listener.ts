// What every HTTP listener of the origin gets: deadlines that cut clients too slow to send a request (slowloris,
// dribbled bodies) before they pile up, and the one JSON error body even for requests node:http refuses itself.
import { createServer, STATUS_CODES, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../log.js';
import type { ErrorBody } from './errors.js';

/** A request's headers must arrive within this; an honest client on a slow phone needs well under a second. */
export const HEADERS_TIMEOUT_MS = 10_000;
/** The whole request, body included (at most 64 KiB: 3 KiB/s is enough), must arrive within this. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** An idle keep-alive connection is closed after this. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** How often node:http checks the deadlines above: a late client is cut at most this much after its deadline. */
const CHECK_INTERVAL_MS = 1_000;

/** node:http's own refusals, before any route sees the request. */
function refusalOf(err: NodeJS.ErrnoException): { status: number; code: string; message: string } {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'request_timeout', message: 'request not received in time' };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'headers_too_large', message: 'request headers too large' };
    default:
      return { status: 400, code: 'bad_request', message: 'malformed HTTP request' };
  }
}

export function createOriginServer(handler: RequestListener, log: Logger): Server {
  const server = createServer(
    { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: CHECK_INTERVAL_MS },
    handler,
  );
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const refusal = refusalOf(err);
    log.debug({ client: socket.remoteAddress, status: refusal.status, reason: err.code ?? err.message }, 'request refused by the HTTP parser');
    // A reset connection leaves nobody to tell.
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify({ error: { code: refusal.code, message: refusal.message } } satisfies ErrorBody);
    socket.end(
      `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Cache-Control: no-store\r\nConnection: close\r\n\r\n' +
        body,
    );
  });
  return server;
}
