// Restream destination routes: the channel owner's list of other platforms its live stream is pushed to. Stream keys
// go in and never come out: every answer is made by destinationView, which shows only the end of the key.
import type { Router } from 'express';
import { z } from 'zod';
import type { RestreamStatusReader } from '../../restream/push-state.js';
import type { Channel, RestreamDestination } from '../../store/ports.js';
import { PASSTHROUGH_RUNG } from '../../transcode/ladder.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { defineRoute, ownedChannel, parseBody, parseParams, requireSeller, type OpenApiRegistry } from './http.js';
import {
  channelParams,
  destinationChangesSchema,
  destinationParams,
  destinationSchema,
  newDestinationSchema,
  type DestinationView,
} from './schemas.js';
import type { ApiDeps } from './deps.js';

/** Each destination is one more push of the stream out of the gateway's uplink. */
export const MAX_DESTINATIONS = 10;

const HINT_CHARS = 4;

/** The end of a key, enough to tell keys apart: at most 4 characters and a quarter of the key, so never all of it. */
export function streamKeyHint(streamKey: string): string {
  const shown = Math.min(HINT_CHARS, Math.floor(streamKey.length / 4));
  // slice(-0) would be the whole key.
  return `…${shown > 0 ? streamKey.slice(-shown) : ''}`;
}

/** The only way a destination leaves the API: field by field, so the key cannot slip into an answer. */
export function destinationView(destination: RestreamDestination, slug: string, restream: RestreamStatusReader): DestinationView {
  return {
    id: destination.id,
    channel: slug,
    name: destination.name,
    url: destination.url,
    streamKeyHint: streamKeyHint(destination.streamKey),
    enabled: destination.enabled,
    rung: destination.rung,
    createdAt: destination.createdAt,
    updatedAt: destination.updatedAt,
    // Switched off is the seller's choice, not the push's: the restreamer no longer knows a disabled destination.
    state: destination.enabled ? restream.stateOf(slug, destination.id) : { ...restream.stateOf(slug, destination.id), phase: 'disabled' },
  };
}

export function destinationRoutes(router: Router, registry: OpenApiRegistry, deps: ApiDeps): void {
  const { channels, destinations, restream, bus } = deps;
  const auth = requireSeller(deps.auth);
  const view = (destination: RestreamDestination, channel: Channel) => destinationView(destination, channel.slug, restream);
  const rungChoices = (channel: Channel): string[] => [PASSTHROUGH_RUNG, ...deps.rungNames(channel.profile)];
  /** 400 unless `rung` (when given) is the source or a rung of the channel's profile. */
  const checkRung = (channel: Channel, rung: string | undefined): void => {
    const choices = rungChoices(channel);
    if (rung !== undefined && !choices.includes(rung)) {
      throw badRequest(`rung: expected one of ${choices.map((choice) => JSON.stringify(choice)).join(', ')}`);
    }
  };

  defineRoute(router, registry, {
    method: 'get',
    path: '/channels/:slug/destinations',
    summary: 'The channel\'s restream destinations, oldest first, with the state of each push',
    tag: 'restream',
    auth: 'seller',
    params: channelParams,
    response: {
      status: 200,
      description: 'destinations',
      schema: z.object({
        destinations: z.array(destinationSchema),
        rungs: z.array(z.string()).meta({ description: 'what a destination may ask for: the source, then the profile\'s rungs' }),
      }),
    },
    errors: [403, 404],
  }, auth, (req, res) => {
    const channel = ownedChannel(req, channels, parseParams(channelParams, req).slug);
    res.json({ destinations: destinations.list(channel.id).map((destination) => view(destination, channel)), rungs: rungChoices(channel) });
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/channels/:slug/destinations',
    summary: `Add a restream destination (at most ${MAX_DESTINATIONS} per channel); pushed to while the channel is live`,
    tag: 'restream',
    auth: 'seller',
    params: channelParams,
    body: newDestinationSchema,
    response: { status: 201, description: 'the destination (its key only as a hint)', schema: destinationSchema },
    errors: [403, 404, 409],
  }, auth, (req, res) => {
    const channel = ownedChannel(req, channels, parseParams(channelParams, req).slug);
    const input = parseBody(newDestinationSchema, req);
    checkRung(channel, input.rung);
    if (destinations.list(channel.id).length >= MAX_DESTINATIONS) {
      throw conflict(`a channel has at most ${MAX_DESTINATIONS} restream destinations`);
    }
    const destination = destinations.create(channel.id, input);
    bus.emit('restream.destinations', { slug: channel.slug });
    res.status(201).json(view(destination, channel));
  });

  defineRoute(router, registry, {
    method: 'patch',
    path: '/channels/:slug/destinations/:id',
    summary: 'Change a restream destination: its name, URL, stream key, rung, or whether it is enabled',
    tag: 'restream',
    auth: 'seller',
    params: destinationParams,
    body: destinationChangesSchema,
    response: { status: 200, description: 'the destination (its key only as a hint)', schema: destinationSchema },
    errors: [403, 404],
  }, auth, (req, res) => {
    const params = parseParams(destinationParams, req);
    const channel = ownedChannel(req, channels, params.slug);
    const changes = parseBody(destinationChangesSchema, req);
    checkRung(channel, changes.rung);
    const destination = destinations.update(channel.id, params.id, changes);
    if (!destination) throw notFound('unknown destination');
    bus.emit('restream.destinations', { slug: channel.slug });
    res.json(view(destination, channel));
  });

  defineRoute(router, registry, {
    method: 'delete',
    path: '/channels/:slug/destinations/:id',
    summary: 'Remove a restream destination; its push stops',
    tag: 'restream',
    auth: 'seller',
    params: destinationParams,
    response: { status: 204, description: 'deleted' },
    errors: [403, 404],
  }, auth, (req, res) => {
    const params = parseParams(destinationParams, req);
    const channel = ownedChannel(req, channels, params.slug);
    if (!destinations.remove(channel.id, params.id)) throw notFound('unknown destination');
    bus.emit('restream.destinations', { slug: channel.slug });
    res.status(204).end();
  });
}
