// The live event stream of a channel (Server-Sent Events): a snapshot first, then every change; a reconnecting
// browser sends Last-Event-ID and gets what it missed. SSE rather than WebSocket: the traffic is one-way (writes are
// plain API calls), EventSource reconnects and resumes by itself, and it passes every HTTP proxy and CDN. Streams are
// capped per client address and in all (connection-caps.ts); a viewer stream counts its client, not itself.
import type { ServerResponse } from 'node:http';
import type { Router } from 'express';
import { z } from 'zod';
import type { HubEvent } from '../../commerce/hub.js';
import type { LiveCommerce } from '../../commerce/live.js';
import type { ChannelRepository } from '../../store/ports.js';
import type { StatusReader } from '../ports.js';
import { channelPublic } from './channelView.js';
import type { ApiRouteModule } from './index.js';
import { clientOf, defineRoute, knownChannel, parseParams, parseQuery } from './http.js';
import type { ConnectionCaps } from '../../connection-caps.js';
import { serviceUnavailable, tooManyRequests } from '../errors.js';
import { chatMessageSchema, pinSchema } from './live.js';
import { channelParams, channelPublicSchema } from './schemas.js';

export interface EventRouteDeps {
  live: Pick<LiveCommerce, 'hub' | 'pins' | 'chat' | 'openViewer' | 'viewers' | 'show'>;
  channels: Pick<ChannelRepository, 'bySlug'>;
  status: Pick<StatusReader, 'channel'>;
  /** Open streams per client address and in all. */
  caps: ConnectionCaps;
  /** Comment line sent this often, so proxies keep the connection and the browser notices a dead one (default 15 s). */
  heartbeatMs?: number;
}

export const snapshotSchema = z.object({
  channel: channelPublicSchema,
  pins: z.array(pinSchema),
  chat: z.array(chatMessageSchema).meta({ description: 'the last 50 messages, oldest first' }),
  viewers: z.number().int(),
});

const eventsQuery = z.object({
  viewer: z.enum(['0', '1']).optional().meta({ description: '1 counts this client as a viewer (watch and embed pages); many streams of one client are one viewer' }),
});

const SNAPSHOT_CHAT = 50;
const DEFAULT_HEARTBEAT_MS = 15_000;
/** A client this far behind is not reading: it is cut rather than buffered without bound (it reconnects and resumes). */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** How long EventSource waits before reconnecting after a dropped connection. */
const RETRY_MS = 2_000;
/** Retry-After of a stream refused by a cap: streams are long-lived, so a slot frees up slowly. */
const CAPPED_RETRY_S = 30;

const STREAM_DESCRIPTION = [
  'text/event-stream. First event `snapshot` {channel, pins, chat, viewers}; then `state` {state, playable, show},',
  '`pin` Pin, `unpin` {productId, pinId, unpinnedAt}, `chat` ChatMessage, `chat.deleted` {id}, `viewers` {viewers}',
  '(distinct client addresses, at most once a second), `product` Product, `product.deleted` {id}. Every event has an',
  'id; reconnecting with Last-Event-ID replays the missed events (or sends a fresh snapshot). `: ping` comments every',
  '15 s. Streams are capped per client address (429) and in all (503).',
].join(' ');

/** One SSE frame; JSON never holds a raw line break, so `data` is one line. */
function frame(id: number, name: string, data: string): string {
  return `id: ${id}\nevent: ${name}\ndata: ${data}\n\n`;
}

/** Last-Event-ID as a sequence number, or undefined when absent or not one of ours. */
function lastEventId(header: string | undefined): number | undefined {
  if (header === undefined || !/^\d{1,16}$/.test(header.trim())) return undefined;
  return Number(header.trim());
}

export function eventRoutes(deps: EventRouteDeps): ApiRouteModule {
  const { live, channels, status, caps } = deps;
  const heartbeatMs = deps.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;

  return (router: Router, registry) => {
    defineRoute(router, registry, {
      method: 'get',
      path: '/channels/:slug/events',
      summary: 'Live event stream of the channel (Server-Sent Events): state, pins, chat, viewers, products',
      tag: 'live',
      auth: 'public',
      params: channelParams,
      query: eventsQuery,
      response: {
        status: 200,
        description: STREAM_DESCRIPTION,
        contentType: 'text/event-stream',
        schema: z.string().meta({ description: STREAM_DESCRIPTION }),
      },
      errors: [404, 429, 503],
    }, (req, res) => {
      const channel = knownChannel(channels, parseParams(channelParams, req).slug);
      const { viewer } = parseQuery(eventsQuery, req);
      const slug = channel.slug;
      const client = clientOf(req);
      const slot = caps.take(client);
      if (!slot.ok) {
        throw slot.refusal === 'client'
          ? tooManyRequests(CAPPED_RETRY_S, `too many event streams from this address (at most ${caps.perClient})`)
          : serviceUnavailable(CAPPED_RETRY_S, 'too many event streams open: try again shortly');
      }
      // Bound first: however the answer ends from here on (even by an error before the stream is set up), the slot frees.
      res.once('close', slot.release);

      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        'X-Accel-Buffering': 'no',
        Connection: 'keep-alive',
      });
      const write = (chunk: string): void => {
        // A heartbeat may still fire between the end of the answer and its 'close'.
        if (res.writableEnded || res.destroyed) return;
        if (res.writableLength > MAX_BUFFERED_BYTES) res.destroy();
        else res.write(chunk);
      };
      const send = (event: HubEvent): void => write(frame(event.id, event.name, event.data));

      // Counted before the snapshot is read, so the count a shopper first sees includes the shopper (and before
      // subscribing, so this stream's own `viewers` event cannot come ahead of its snapshot).
      const leave = viewer === '1' ? live.openViewer(slug, client) : undefined;
      // Subscribed before the snapshot is read, in the same tick: no event can fall between the two.
      const unsubscribe = live.hub.subscribe(slug, { event: send, close: () => res.end() });
      write(`retry: ${RETRY_MS}\n\n`);
      const resumeFrom = lastEventId(req.get('last-event-id'));
      const missed = resumeFrom === undefined ? undefined : live.hub.since(slug, resumeFrom);
      if (missed !== undefined) {
        for (const event of missed) send(event);
      } else {
        const snapshot: z.infer<typeof snapshotSchema> = {
          channel: channelPublic(channel, { status, live }),
          pins: live.pins.pinned(slug),
          chat: live.chat.recent(slug, SNAPSHOT_CHAT),
          viewers: live.viewers(slug),
        };
        write(frame(live.hub.lastId(slug), 'snapshot', JSON.stringify(snapshot)));
      }
      const heartbeat = setInterval(() => write(': ping\n\n'), heartbeatMs);
      const cleanup = (): void => {
        clearInterval(heartbeat);
        unsubscribe();
        leave?.();
      };
      closed(res, cleanup);
    });
  };
}

/** Runs `cleanup` once, however the connection ends (client gone, cut for lagging, hub closing it). */
function closed(res: ServerResponse, cleanup: () => void): void {
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    cleanup();
  };
  res.once('close', once);
  res.once('error', once);
}
