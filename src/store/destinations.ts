// Each channel's restream destinations, stream keys included: the one place they are kept.
import { randomUUID } from 'node:crypto';
import type { Db } from './db.js';
import type { NewRestreamDestination, RestreamDestination, RestreamDestinationRepository } from './ports.js';

interface DestinationRow {
  id: string;
  channel_id: string;
  name: string;
  url: string;
  stream_key: string;
  enabled: number;
  rung: string;
  created_at: string;
  updated_at: string;
}

const toDestination = (row: DestinationRow): RestreamDestination => ({
  id: row.id,
  channelId: row.channel_id,
  name: row.name,
  url: row.url,
  streamKey: row.stream_key,
  enabled: row.enabled === 1,
  rung: row.rung,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Column of each editable field. */
const COLUMNS: Record<keyof NewRestreamDestination, string> = {
  name: 'name',
  url: 'url',
  streamKey: 'stream_key',
  enabled: 'enabled',
  rung: 'rung',
};

const toColumnValue = (value: NewRestreamDestination[keyof NewRestreamDestination]): string | number =>
  typeof value === 'boolean' ? Number(value) : value;

const ORDER = 'ORDER BY restream_destinations.created_at, restream_destinations.rowid';

export class SqliteRestreamDestinationRepository implements RestreamDestinationRepository {
  constructor(private readonly db: Db) {}

  list(channelId: string): RestreamDestination[] {
    const rows = this.db.prepare(`SELECT * FROM restream_destinations WHERE channel_id = ? ${ORDER}`).all(channelId);
    return (rows as DestinationRow[]).map(toDestination);
  }

  byId(channelId: string, id: string): RestreamDestination | undefined {
    const row = this.db
      .prepare('SELECT * FROM restream_destinations WHERE channel_id = ? AND id = ?')
      .get(channelId, id) as DestinationRow | undefined;
    return row && toDestination(row);
  }

  create(channelId: string, input: NewRestreamDestination): RestreamDestination {
    const now = new Date().toISOString();
    const destination: RestreamDestination = { ...input, id: randomUUID(), channelId, createdAt: now, updatedAt: now };
    // An unknown channel fails the foreign key.
    this.db
      .prepare(
        `INSERT INTO restream_destinations (id, channel_id, name, url, stream_key, enabled, rung, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(destination.id, channelId, destination.name, destination.url, destination.streamKey,
        Number(destination.enabled), destination.rung, now, now);
    return destination;
  }

  update(channelId: string, id: string, changes: Partial<NewRestreamDestination>): RestreamDestination | undefined {
    const fields = (Object.keys(COLUMNS) as (keyof NewRestreamDestination)[]).filter((key) => changes[key] !== undefined);
    const sets = [...fields.map((key) => `${COLUMNS[key]} = ?`), 'updated_at = ?'];
    const values = [...fields.map((key) => toColumnValue(changes[key]!)), new Date().toISOString()];
    const result = this.db
      .prepare(`UPDATE restream_destinations SET ${sets.join(', ')} WHERE channel_id = ? AND id = ?`)
      .run(...values, channelId, id);
    return result.changes > 0 ? this.byId(channelId, id) : undefined;
  }

  remove(channelId: string, id: string): boolean {
    return this.db.prepare('DELETE FROM restream_destinations WHERE channel_id = ? AND id = ?').run(channelId, id).changes > 0;
  }

  enabledBySlug(slug: string): RestreamDestination[] {
    const rows = this.db
      .prepare(
        `SELECT restream_destinations.* FROM restream_destinations JOIN channels ON channels.id = restream_destinations.channel_id
         WHERE channels.slug = ? AND restream_destinations.enabled = 1 ${ORDER}`,
      )
      .all(slug);
    return (rows as DestinationRow[]).map(toDestination);
  }
}
