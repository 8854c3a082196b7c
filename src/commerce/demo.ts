// The demo channel a new user streams to on first start, so the whole path works before any setup.
import type { Channel, ChannelRepository } from '../store/channels.js';

export const DEMO_SLUG = 'demo';

export interface DemoChannel {
  channel: Channel;
  /** The channel was created by this start: its key is shown this once. */
  created: boolean;
}

/** Creates the demo channel if missing; a key given by the operator (SHOPCAST_DEMO_KEY) always wins. */
export function ensureDemoChannel(channels: ChannelRepository, opts: { demoKey?: string; profile: string }): DemoChannel {
  const existing = channels.bySlug(DEMO_SLUG);
  if (!existing) {
    const channel = channels.create({
      slug: DEMO_SLUG,
      title: 'Demo shop',
      profile: opts.profile,
      ...(opts.demoKey ? { streamKey: opts.demoKey } : {}),
    });
    return { channel, created: true };
  }
  if (opts.demoKey && opts.demoKey !== existing.streamKey) {
    channels.setStreamKey(DEMO_SLUG, opts.demoKey);
    return { channel: { ...existing, streamKey: opts.demoKey }, created: false };
  }
  return { channel: existing, created: false };
}
