// Counts the origin's answers where node:http hands over each request (public media never pass through express, so
// this is the one place that sees them all): by route and status, how long until the answer was sent, bytes out.
// Kept to a few operations per request: the playlist path is benchmarked in requests per second.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Counter, Histogram } from 'prom-client';
import { routeOf } from './http-routes.js';

/** The metrics it feeds (defined in registry.ts). */
export interface HttpInstruments {
  requests: Counter<'route' | 'code'>;
  durationS: Histogram<'route'>;
  sentBytes: Counter<'route'>;
}

/** The status label of an answer the client went away from before its status was sent. */
export const ABORTED_CODE = 'aborted';

/** Express's request carries the route that matched; node:http's type does not know it. */
type RoutedRequest = IncomingMessage & { route?: { path?: unknown } };

export class HttpMetrics {
  readonly #instruments: HttpInstruments;
  readonly #heldReaders = new Set<() => number>();
  /** Bytes a connection had sent when its previous answer ended: an answer's bytes are what was sent since. */
  readonly #sentBefore = new WeakMap<Socket, number>();

  constructor(instruments: HttpInstruments) {
    this.#instruments = instruments;
  }

  /** Requests the instrumented listeners hold now (blocking playlist reloads). */
  held(): number {
    let held = 0;
    for (const read of this.#heldReaders) held += read();
    return held;
  }

  /** `listener` with each of its answers counted; `held` reads how many requests it holds now. */
  instrument(listener: RequestListener, opts: { held?: () => number } = {}): RequestListener {
    if (opts.held !== undefined) this.#heldReaders.add(opts.held);
    return (req, res) => {
      const startedMs = performance.now();
      // Read now: express rewrites req.url while it routes.
      const url = req.url ?? '';
      res.once('close', () => this.#ended(req, res, url, startedMs));
      listener(req, res);
    };
  }

  #ended(req: RoutedRequest, res: ServerResponse, url: string, startedMs: number): void {
    // A metric that fails must not take the origin with it (this runs outside any request handler's error path).
    try {
      const query = url.indexOf('?');
      const expressRoute = req.route?.path;
      const status = res.headersSent ? res.statusCode : undefined;
      const route = routeOf(query < 0 ? url : url.slice(0, query), typeof expressRoute === 'string' ? expressRoute : undefined, status);
      const { requests, durationS, sentBytes } = this.#instruments;
      requests.inc({ route, code: status ?? ABORTED_CODE });
      // Only whole answers are timed: an abandoned one (or an event stream the client closed) took no answer time.
      if (res.writableFinished) durationS.observe({ route }, (performance.now() - startedMs) / 1000);
      const socket = req.socket;
      const sent = socket.bytesWritten;
      sentBytes.inc({ route }, sent - (this.#sentBefore.get(socket) ?? 0));
      this.#sentBefore.set(socket, sent);
    } catch {
      // Nothing to do: the answer itself went out.
    }
  }
}
