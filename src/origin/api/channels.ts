// Channel routes: the public list and status shoppers' pages read, and the owner's settings and stream key.
import type { Router } from 'express';
import { z } from 'zod';
import { generateStreamKey } from '../../store/channels.js';
import type { Channel } from '../../store/ports.js';
import { conflict, notFound } from '../errors.js';
import { channelAdmin, channelPublic, isOnAir } from './channelView.js';
import { defineRoute, knownChannel, ownedChannel, parseBody, parseParams, requireSeller, sellerOf, type OpenApiRegistry } from './http.js';
import {
  channelAdminSchema,
  channelChangesSchema,
  channelParams,
  channelPublicSchema,
  newChannelSchema,
  streamKeySchema,
} from './schemas.js';
import type { ApiDeps } from './deps.js';

export function channelRoutes(router: Router, registry: OpenApiRegistry, deps: ApiDeps): void {
  const { channels, sellers, bus } = deps;
  const auth = requireSeller(deps.auth);
  const admin = (channel: Channel) => {
    const owner = sellers.byId(channel.sellerId) ?? { id: channel.sellerId, name: channel.sellerId };
    return channelAdmin(channel, owner, deps);
  };

  defineRoute(router, registry, {
    method: 'get',
    path: '/channels',
    summary: 'Every channel, the ones on air first',
    tag: 'channels',
    auth: 'public',
    response: { status: 200, description: 'channels', schema: z.object({ channels: z.array(channelPublicSchema) }) },
  }, (_req, res) => {
    const views = channels.list().map((channel) => channelPublic(channel, deps));
    // Stable sort: within each group the repository's creation order stays.
    views.sort((a, b) => Number(isOnAir(b.state)) - Number(isOnAir(a.state)));
    res.json({ channels: views });
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/channels/:slug',
    summary: 'A channel as shoppers see it: state, playability, viewers, current show',
    tag: 'channels',
    auth: 'public',
    params: channelParams,
    response: { status: 200, description: 'the channel', schema: channelPublicSchema },
    errors: [404],
  }, (req, res) => {
    res.json(channelPublic(knownChannel(channels, parseParams(channelParams, req).slug), deps));
  });

  const newChannel = newChannelSchema(deps.profiles);
  defineRoute(router, registry, {
    method: 'post',
    path: '/channels',
    summary: 'Create a channel owned by the caller; the answer holds its stream key',
    tag: 'channels',
    auth: 'seller',
    body: newChannel,
    response: {
      status: 201,
      description: 'the channel and its stream key',
      schema: z.object({ channel: channelAdminSchema, streamKey: z.string() }),
    },
    errors: [409],
  }, auth, (req, res) => {
    const input = parseBody(newChannel, req);
    if (channels.bySlug(input.slug)) throw conflict(`slug "${input.slug}" is taken`);
    const channel = channels.create({
      slug: input.slug,
      title: input.title,
      description: input.description ?? '',
      profile: input.profile ?? deps.defaultProfile,
      sellerId: sellerOf(req).id,
    });
    res.status(201).json({ channel: admin(channel), streamKey: channel.streamKey });
  });

  const changes = channelChangesSchema(deps.profiles);
  defineRoute(router, registry, {
    method: 'patch',
    path: '/channels/:slug',
    summary: 'Change a channel\'s title, description or ladder profile',
    tag: 'channels',
    auth: 'seller',
    params: channelParams,
    body: changes,
    response: { status: 200, description: 'the channel', schema: channelAdminSchema },
    errors: [403, 404],
  }, auth, (req, res) => {
    const { slug } = ownedChannel(req, channels, parseParams(channelParams, req).slug);
    const updated = channels.update(slug, parseBody(changes, req));
    if (!updated) throw notFound('unknown channel');
    res.json(admin(updated));
  });

  defineRoute(router, registry, {
    method: 'delete',
    path: '/channels/:slug',
    summary: 'Delete a channel with its products, shows and chat (not while it is on air)',
    tag: 'channels',
    auth: 'seller',
    params: channelParams,
    response: { status: 204, description: 'deleted' },
    errors: [403, 404, 409],
  }, auth, (req, res) => {
    const channel = ownedChannel(req, channels, parseParams(channelParams, req).slug);
    if (isOnAir(channelPublic(channel, deps).state)) throw conflict('the channel is on air: stop streaming first');
    channels.remove(channel.slug);
    bus.emit('channel.deleted', { slug: channel.slug });
    res.status(204).end();
  });

  defineRoute(router, registry, {
    method: 'get',
    path: '/channels/:slug/key',
    summary: 'Reveal the channel\'s stream key',
    tag: 'channels',
    auth: 'seller',
    params: channelParams,
    response: { status: 200, description: 'the stream key', schema: streamKeySchema },
    errors: [403, 404],
  }, auth, (req, res) => {
    res.json({ streamKey: ownedChannel(req, channels, parseParams(channelParams, req).slug).streamKey });
  });

  defineRoute(router, registry, {
    method: 'post',
    path: '/channels/:slug/key',
    summary: 'Replace the stream key; the old key is refused from now on and its publisher disconnected',
    tag: 'channels',
    auth: 'seller',
    params: channelParams,
    response: { status: 200, description: 'the new stream key', schema: streamKeySchema },
    errors: [403, 404],
  }, auth, (req, res) => {
    const { slug } = ownedChannel(req, channels, parseParams(channelParams, req).slug);
    const streamKey = generateStreamKey();
    channels.setStreamKey(slug, streamKey);
    bus.emit('channel.keyRotated', { slug });
    res.json({ streamKey });
  });
}
