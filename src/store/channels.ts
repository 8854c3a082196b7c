// Channels and their secret stream keys; the only place a key is looked up, always in constant time.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Db } from './db.js';

export interface Channel {
  id: string;
  slug: string;
  title: string;
  /** Secret: never log it, never put it in a URL, a path or a command line. */
  streamKey: string;
  profile: string;
  createdAt: string;
}

export interface NewChannel {
  slug: string;
  title: string;
  profile: string;
  streamKey?: string;
}

export interface ChannelRepository {
  bySlug(slug: string): Channel | undefined;
  /** Finds the channel a stream key belongs to, comparing against every key in constant time. */
  byStreamKey(key: string): Channel | undefined;
  list(): Channel[];
  create(channel: NewChannel): Channel;
  setStreamKey(slug: string, key: string): void;
}

/** 24 random bytes = 192 bits, URL- and RTMP-safe (base64url matches node-media-server's name pattern). */
export function generateStreamKey(): string {
  return randomBytes(24).toString('base64url');
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

interface ChannelRow {
  id: string;
  slug: string;
  title: string;
  stream_key: string;
  profile: string;
  created_at: string;
}

const toChannel = (row: ChannelRow): Channel => ({
  id: row.id,
  slug: row.slug,
  title: row.title,
  streamKey: row.stream_key,
  profile: row.profile,
  createdAt: row.created_at,
});

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
    return (this.db.prepare('SELECT * FROM channels ORDER BY created_at, slug').all() as ChannelRow[]).map(toChannel);
  }

  create(input: NewChannel): Channel {
    const channel: Channel = {
      id: randomUUID(),
      slug: input.slug,
      title: input.title,
      streamKey: input.streamKey ?? generateStreamKey(),
      profile: input.profile,
      createdAt: new Date().toISOString(),
    };
    this.db
      .prepare(
        'INSERT INTO channels (id, slug, title, stream_key, profile, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(channel.id, channel.slug, channel.title, channel.streamKey, channel.profile, channel.createdAt);
    return channel;
  }

  setStreamKey(slug: string, key: string): void {
    this.db.prepare('UPDATE channels SET stream_key = ? WHERE slug = ?').run(key, slug);
  }
}
