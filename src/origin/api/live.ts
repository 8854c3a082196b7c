// Live interaction routes: pins, chat and its moderation, buy clicks and show history. Public reads are what a
// shopper's page needs; every change of someone's channel needs the owner's token.
import type { Request, Router } from 'express';
import { z } from 'zod';
import { chatPostSchema, muteSchema } from '../../commerce/chat.js';
import type { LiveCommerce } from '../../commerce/live.js';
import { LiveError } from '../../commerce/model.js';
import type { TokenAuthenticator } from '../../commerce/auth.js';
import type { Channel, ChannelRepository } from '../../store/ports.js';
import { conflict, forbidden, gone, HttpError, notFound, tooManyRequests } from '../errors.js';
import type { ApiRouteModule } from './index.js';
import {
  callerOf,
  clientOf,
  defineRoute,
  knownChannel,
  manages,
  optionalSeller,
  ownedChannel,
  parseBody,
  parseParams,
  parseQuery,
  requireSeller,
} from './http.js';
import { channelParams, productParams, productSchema, slugParam, uuidParam } from './schemas.js';

export interface LiveRouteDeps {
  live: Pick<LiveCommerce, 'pins' | 'chat' | 'click' | 'shows' | 'recentShows' | 'showDetails' | 'showChat' | 'replay'>;
  /** The recorder: a seller deletes a recording. */
  recordings: { delete(showId: string): Promise<boolean> };
  channels: Pick<ChannelRepository, 'bySlug'>;
  auth: TokenAuthenticator;
}

export const pinSchema = z.object({
  id: z.string(),
  showId: z.string(),
  productId: z.string(),
  productName: z.string().meta({ description: 'the product\'s name when pinned (kept after the product is deleted)' }),
  product: productSchema.nullable().meta({ description: 'null only in a past show\'s timeline, once the product was deleted' }),
  pinnedAt: z.string(),
  unpinnedAt: z.string().nullable(),
});

export const chatMessageSchema = z.object({
  id: z.string(),
  showId: z.string().nullable(),
  name: z.string(),
  text: z.string().meta({ description: 'plain text: render with textContent, never as HTML' }),
  at: z.string(),
  bySeller: z.boolean(),
});

const replaySummarySchema = z.object({
  status: z.enum(['recording', 'stopped', 'ready', 'deleted', 'expired']).meta({
    description: 'only `ready` can be watched; `recording`: the show is live; `stopped`: live, but recording stopped (the recordings quota is full); `deleted` by its seller or `expired`: gone, its URLs answer 410',
  }),
  durationS: z.number(),
  pageUrl: z.string(),
  hlsUrl: z.string().meta({ description: 'VOD HLS master playlist' }),
  dashUrl: z.string().meta({ description: 'static DASH manifest' }),
  posterUrl: z.string(),
});

const showSummarySchema = z.object({
  id: z.string(),
  channel: z.string(),
  title: z.string(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  durationS: z.number().int(),
  peakViewers: z.number().int(),
  replay: replaySummarySchema.nullable().meta({ description: 'the show\'s recording; null if none was made' }),
});

const replaySchema = z.object({
  show: showSummarySchema,
  pins: z.array(pinSchema.extend({
    offsetS: z.number().meta({ description: 'seconds into the replay where it was pinned' }),
    endOffsetS: z.number().nullable(),
    imageUrl: z.string().meta({ description: 'a picture of that moment of the replay' }),
  })),
  chat: z.array(chatMessageSchema.extend({ offsetS: z.number().meta({ description: 'seconds into the replay where it was sent' }) })),
});

const showSchema = showSummarySchema.extend({
  viewers: z.number().int(),
  pins: z.array(pinSchema).meta({ description: 'the whole pin timeline, unpinned ones included' }),
  clicks: z.array(z.object({ productId: z.string(), name: z.string(), clicks: z.number().int() })),
  chatMessages: z.number().int(),
});

const pinBody = z.strictObject({ productId: uuidParam });
const pinParams = z.object({ slug: slugParam, productId: uuidParam });
const messageParams = z.object({ slug: slugParam, id: uuidParam });
const muteParams = z.object({ slug: slugParam, id: uuidParam });
const showParams = z.object({ id: uuidParam });
const chatQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });
const showsQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) });
const messagesSchema = z.object({ messages: z.array(chatMessageSchema) });
const showsSchema = z.object({ shows: z.array(showSummarySchema) });
const muteViewSchema = z.object({
  id: z.string(),
  names: z.array(z.string()).meta({ description: 'the name on the muted message, then other names this client used (newest first)' }),
  mutedAt: z.string(),
});
/**
 * A buy click's body: nothing but `{}`, and required. A JSON body needs `Content-Type: application/json`, which no
 * form and no `no-cors` fetch can send, so another site's page cannot make its visitors count clicks: its browser
 * would have to ask first (a CORS preflight), and shopcast's API answers none.
 */
const clickBody = z.strictObject({});

/** Live commerce's refusals as HTTP answers; anything else goes on to the error handler as it is. */
function answer<T>(action: () => T): T {
  try {
    return action();
  } catch (err) {
    if (!(err instanceof LiveError)) throw err;
    throw toHttpError(err);
  }
}

function toHttpError(err: LiveError): HttpError {
  switch (err.refusal) {
    case 'not_found':
      return notFound(err.message);
    case 'conflict':
      return conflict(err.message);
    case 'muted':
      return forbidden(err.message, 'muted');
    case 'rate_limited':
      return tooManyRequests(err.retryAfterS ?? 1, err.message);
  }
}

export function liveRoutes(deps: LiveRouteDeps): ApiRouteModule {
  const { live, channels } = deps;
  const known = (slug: string): Channel => knownChannel(channels, slug);
  /** The caller may speak for the channel: its owner or an admin. */
  const speaksFor = (req: Request, channel: Channel): boolean => {
    const caller = callerOf(req);
    return caller !== undefined && manages(caller, channel);
  };

  return (router: Router, registry) => {
    const seller = requireSeller(deps.auth);
    const maybeSeller = optionalSeller(deps.auth);

    defineRoute(router, registry, {
      method: 'get',
      path: '/channels/:slug/pins',
      summary: 'Products pinned now, oldest first',
      tag: 'live',
      auth: 'public',
      params: channelParams,
      response: { status: 200, description: 'pinned products', schema: z.object({ pins: z.array(pinSchema) }) },
      errors: [404],
    }, (req, res) => {
      const { slug } = known(parseParams(channelParams, req).slug);
      res.json({ pins: live.pins.pinned(slug) });
    });

    defineRoute(router, registry, {
      method: 'post',
      path: '/channels/:slug/pins',
      summary: 'Pin a product while live (at most 3); shoppers see it when their playback reaches this moment',
      tag: 'live',
      auth: 'seller',
      params: channelParams,
      body: pinBody,
      response: { status: 201, description: 'the pin', schema: pinSchema },
      errors: [403, 404, 409],
    }, seller, (req, res) => {
      const { slug } = ownedChannel(req, channels, parseParams(channelParams, req).slug);
      const { productId } = parseBody(pinBody, req);
      res.status(201).json(answer(() => live.pins.pin(slug, productId)));
    });

    defineRoute(router, registry, {
      method: 'delete',
      path: '/channels/:slug/pins/:productId',
      summary: 'Unpin a product',
      tag: 'live',
      auth: 'seller',
      params: pinParams,
      response: { status: 204, description: 'unpinned' },
      errors: [403, 404],
    }, seller, (req, res) => {
      const params = parseParams(pinParams, req);
      const { slug } = ownedChannel(req, channels, params.slug);
      answer(() => live.pins.unpin(slug, params.productId));
      res.status(204).end();
    });

    defineRoute(router, registry, {
      method: 'get',
      path: '/channels/:slug/chat',
      summary: 'Recent chat messages of the channel, oldest first (deleted ones omitted)',
      tag: 'chat',
      auth: 'public',
      params: channelParams,
      query: chatQuery,
      response: { status: 200, description: 'messages', schema: messagesSchema },
      errors: [404],
    }, (req, res) => {
      const { slug } = known(parseParams(channelParams, req).slug);
      res.json({ messages: live.chat.recent(slug, parseQuery(chatQuery, req).limit) });
    });

    defineRoute(router, registry, {
      method: 'post',
      path: '/channels/:slug/chat',
      summary: 'Post a chat message (5 per 10 s per client address, whatever the name; 403 `muted` once muted); with the owner\'s token it is marked as the seller\'s',
      tag: 'chat',
      auth: 'optional',
      params: channelParams,
      body: chatPostSchema,
      response: { status: 201, description: 'the message', schema: chatMessageSchema },
      errors: [403, 404, 429],
    }, maybeSeller, (req, res) => {
      const channel = known(parseParams(channelParams, req).slug);
      const input = parseBody(chatPostSchema, req);
      const sender = { client: clientOf(req), bySeller: speaksFor(req, channel) };
      res.status(201).json(answer(() => live.chat.post(channel.slug, input, sender)));
    });

    defineRoute(router, registry, {
      method: 'delete',
      path: '/channels/:slug/chat/:id',
      summary: 'Delete a chat message (pages drop it at once)',
      tag: 'chat',
      auth: 'seller',
      params: messageParams,
      response: { status: 204, description: 'deleted' },
      errors: [403, 404],
    }, seller, (req, res) => {
      const params = parseParams(messageParams, req);
      const { slug } = ownedChannel(req, channels, params.slug);
      answer(() => live.chat.remove(slug, params.id));
      res.status(204).end();
    });

    defineRoute(router, registry, {
      method: 'get',
      path: '/channels/:slug/mutes',
      summary: 'Clients muted on the channel, newest first, with the names they used',
      tag: 'chat',
      auth: 'seller',
      params: channelParams,
      response: { status: 200, description: 'mutes', schema: z.object({ mutes: z.array(muteViewSchema) }) },
      errors: [403, 404],
    }, seller, (req, res) => {
      const { slug } = ownedChannel(req, channels, parseParams(channelParams, req).slug);
      res.json({ mutes: live.chat.mutes(slug) });
    });

    defineRoute(router, registry, {
      method: 'post',
      path: '/channels/:slug/mutes',
      summary: 'Mute the sender of a message: their messages are refused with 403 under any name (muting twice is one mute)',
      tag: 'chat',
      auth: 'seller',
      params: channelParams,
      body: muteSchema,
      response: { status: 201, description: 'the mute', schema: muteViewSchema },
      errors: [403, 404, 409],
    }, seller, (req, res) => {
      const { slug } = ownedChannel(req, channels, parseParams(channelParams, req).slug);
      const { messageId } = parseBody(muteSchema, req);
      res.status(201).json(answer(() => live.chat.mute(slug, messageId)));
    });

    defineRoute(router, registry, {
      method: 'delete',
      path: '/channels/:slug/mutes/:id',
      summary: 'Unmute a client',
      tag: 'chat',
      auth: 'seller',
      params: muteParams,
      response: { status: 204, description: 'unmuted' },
      errors: [403, 404],
    }, seller, (req, res) => {
      const params = parseParams(muteParams, req);
      const { slug } = ownedChannel(req, channels, params.slug);
      answer(() => live.chat.unmute(slug, params.id));
      res.status(204).end();
    });

    defineRoute(router, registry, {
      method: 'post',
      path: '/channels/:slug/products/:id/clicks',
      summary: 'Count a buy click on a product for the show in progress (409 between shows); body `{}`; a client\'s repeats within 10 s count once',
      tag: 'live',
      auth: 'public',
      params: productParams,
      body: clickBody,
      response: { status: 204, description: 'counted' },
      errors: [404, 409],
    }, (req, res) => {
      const params = parseParams(productParams, req);
      parseBody(clickBody, req);
      answer(() => live.click(known(params.slug).slug, params.id, clientOf(req)));
      res.status(204).end();
    });

    defineRoute(router, registry, {
      method: 'get',
      path: '/channels/:slug/shows',
      summary: 'The channel\'s shows, newest first',
      tag: 'shows',
      auth: 'public',
      params: channelParams,
      query: showsQuery,
      response: { status: 200, description: 'shows', schema: showsSchema },
      errors: [404],
    }, (req, res) => {
      const { slug } = known(parseParams(channelParams, req).slug);
      res.json({ shows: live.shows(slug, parseQuery(showsQuery, req).limit) });
    });

    defineRoute(router, registry, {
      method: 'get',
      path: '/shows',
      summary: 'Recent shows of every channel, newest first (the home page)',
      tag: 'shows',
      auth: 'public',
      query: showsQuery,
      response: { status: 200, description: 'shows', schema: showsSchema },
    }, (req, res) => {
      res.json({ shows: live.recentShows(parseQuery(showsQuery, req).limit) });
    });

    defineRoute(router, registry, {
      method: 'get',
      path: '/shows/:id',
      summary: 'One show with its stats: peak viewers, pin timeline, buy clicks per product, chat count',
      tag: 'shows',
      auth: 'public',
      params: showParams,
      response: { status: 200, description: 'the show', schema: showSchema },
      errors: [404],
    }, (req, res) => {
      const show = live.showDetails(parseParams(showParams, req).id);
      if (show === undefined) throw notFound('unknown show');
      res.json(show);
    });

    defineRoute(router, registry, {
      method: 'get',
      path: '/shows/:id/replay',
      summary: 'A show\'s replay: the show, its pins and its chat placed on the replay\'s timeline',
      tag: 'shows',
      auth: 'public',
      params: showParams,
      response: { status: 200, description: 'the replay', schema: replaySchema },
      errors: [404, 409, 410],
    }, (req, res) => {
      const replay = live.replay(parseParams(showParams, req).id);
      if (replay.found) {
        const { found: _, ...body } = replay;
        res.json(body);
        return;
      }
      if (replay.why === 'gone') throw gone('the recording was deleted');
      if (replay.why === 'live') throw conflict('the show is still live');
      throw notFound('no replay of this show');
    });

    defineRoute(router, registry, {
      method: 'delete',
      path: '/shows/:id/recording',
      summary: 'Delete a show\'s recording: its files go, its replay URLs answer 410 (a live show goes on unrecorded)',
      tag: 'shows',
      auth: 'seller',
      params: showParams,
      response: { status: 204, description: 'deleted' },
      errors: [403, 404],
    }, seller, async (req, res) => {
      const show = live.showDetails(parseParams(showParams, req).id);
      if (show === undefined) throw notFound('unknown show');
      ownedChannel(req, channels, show.channel);
      if (!(await deps.recordings.delete(show.id))) throw notFound('no recording to delete');
      res.status(204).end();
    });

    defineRoute(router, registry, {
      method: 'get',
      path: '/shows/:id/chat',
      summary: 'The chat log of a show, oldest first (deleted messages omitted)',
      tag: 'shows',
      auth: 'public',
      params: showParams,
      response: { status: 200, description: 'messages', schema: messagesSchema },
      errors: [404],
    }, (req, res) => {
      const messages = live.showChat(parseParams(showParams, req).id);
      if (messages === undefined) throw notFound('unknown show');
      res.json({ messages });
    });
  };
}
