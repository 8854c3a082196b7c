// Channels and their secret stream keys; the only place a key is looked up, always in constant time.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Db } from './db.js';
import type { Channel, ChannelRepository, NewChannel } from './ports.js';

export type { Channel, ChannelRepository, NewChannel } from './ports.js';

/** Owner of channels created without one (the demo channel): the bootstrap admin created by migration v2. */
const DEFAULT_OWNER = 'admin';

/** 24 random bytes = 192 bits, URL- and RTMP-safe (base64url matches node-media-server's name pattern). */
export function generateStreamKey(): string {
  return randomBytes(24).toString('base64url');
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

interface ChannelRow {
  id: string;
  slug: string;
  title: string;
  description: string;
  seller_id: string;
  stream_key: string;
  profile: string;
  created_at: string;
}

const toChannel = (row: ChannelRow): Channel => ({
  id: row.id,
  slug: row.slug,
  title: row.title,
  description: row.description,
  sellerId: row.seller_id,
  streamKey: row.stream_key,
  profile: row.profile,
  createdAt: row.created_at,
});

const ORDER = 'ORDER BY created_at, slug';

export class SqliteChannelRepository implements ChannelRepository {
  constructor(private readonly db: Db) {}

  bySlug(slug: string): Channel | undefined {
    const row = this.db.prepare('SELECT * FROM channels WHERE slug = ?').get(slug) as ChannelRow | undefined;
    return row && toChannel(row);
  }

  byStreamKey(key: string): Channel | undefined {
    // Hashing first gives equal-length buffers; visiting every row keeps the time independent of where a match is.
    const wanted = digest(key);
    let found: Channel | undefined;
    for (const channel of this.list()) {
      if (timingSafeEqual(digest(channel.streamKey), wanted)) found = channel;
    }
    return found;
  }

  list(): Channel[] {
    return (this.db.prepare(`SELECT * FROM channels ${ORDER}`).all() as ChannelRow[]).map(toChannel);
  }

  listBySeller(sellerId: string): Channel[] {
    return (this.db.prepare(`SELECT * FROM channels WHERE seller_id = ? ${ORDER}`).all(sellerId) as ChannelRow[]).map(toChannel);
  }

  create(input: NewChannel): Channel {
    const channel: Channel = {
      id: randomUUID(),
      slug: input.slug,
      title: input.title,
      description: input.description ?? '',
      sellerId: input.sellerId ?? DEFAULT_OWNER,
      streamKey: input.streamKey ?? generateStreamKey(),
      profile: input.profile,
      createdAt: new Date().toISOString(),
    };
    // channels.seller_id has no foreign key (see migration v2), so the owner is checked here.
    if (!this.db.prepare('SELECT 1 FROM sellers WHERE id = ?').get(channel.sellerId)) {
      throw new Error(`channels: no seller "${channel.sellerId}"`);
    }
    this.db
      .prepare(
        `INSERT INTO channels (id, slug, title, description, seller_id, stream_key, profile, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(channel.id, channel.slug, channel.title, channel.description, channel.sellerId, channel.streamKey,
        channel.profile, channel.createdAt);
    return channel;
  }

  update(slug: string, changes: { title?: string; description?: string; profile?: string }): Channel | undefined {
    const fields = (['title', 'description', 'profile'] as const).filter((key) => changes[key] !== undefined);
    if (fields.length > 0) {
      const sets = fields.map((key) => `${key} = ?`).join(', ');
      this.db.prepare(`UPDATE channels SET ${sets} WHERE slug = ?`).run(...fields.map((key) => changes[key]!), slug);
    }
    return this.bySlug(slug);
  }

  remove(slug: string): boolean {
    // Products, shows, pins, chat and mutes go with it (ON DELETE CASCADE).
    return this.db.prepare('DELETE FROM channels WHERE slug = ?').run(slug).changes > 0;
  }

  setStreamKey(slug: string, key: string): void {
    this.db.prepare('UPDATE channels SET stream_key = ? WHERE slug = ?').run(key, slug);
  }
}
