// How a channel looks from outside: the public view shoppers' pages read, and the owner's view (never the key).
import { masterPlaylistUrl } from '../../media-names.js';
import type { Channel, Seller } from '../../store/ports.js';
import type { ChannelState, LiveReader, StatusReader } from '../ports.js';
import type { ApiDeps } from './deps.js';
import type { ChannelAdmin, ChannelPublic } from './schemas.js';

export type { ChannelAdmin, ChannelPublic } from './schemas.js';

export interface ChannelViewSources {
  status: Pick<StatusReader, 'channel'>;
  live: LiveReader;
}

/** A publisher is connected (or may come back within the reconnect window). */
export function isOnAir(state: ChannelState): boolean {
  return state === 'starting' || state === 'live' || state === 'reconnecting';
}

export function channelPublic(channel: Channel, sources: ChannelViewSources): ChannelPublic {
  const status = sources.status.channel(channel.slug);
  return {
    slug: channel.slug,
    title: channel.title,
    description: channel.description,
    state: status?.state ?? 'offline',
    playable: status?.playable ?? false,
    masterUrl: status?.masterUrl ?? masterPlaylistUrl(channel.slug),
    startedAt: status?.startedAt ?? null,
    endedAt: status?.endedAt ?? null,
    viewers: sources.live.viewers(channel.slug),
    show: sources.live.show(channel.slug),
  };
}

export function channelAdmin(
  channel: Channel,
  owner: Pick<Seller, 'id' | 'name'>,
  sources: ChannelViewSources & Pick<ApiDeps, 'rtmpServer' | 'obsSettings'>,
): ChannelAdmin {
  return {
    ...channelPublic(channel, sources),
    profile: channel.profile,
    createdAt: channel.createdAt,
    owner: { id: owner.id, name: owner.name },
    rtmpServer: sources.rtmpServer(),
    obs: sources.obsSettings(channel.profile),
  };
}
