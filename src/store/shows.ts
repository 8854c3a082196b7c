// Shows (live sessions of a channel) with their pin timeline, peak viewers and buy clicks, in SQLite.
import { randomUUID } from 'node:crypto';
import type { Db } from './db.js';
import type { ClickCount, PinRecord, ShowRecord, ShowRepository } from './ports.js';

interface ShowRow {
  id: string;
  channel: string;
  title: string;
  started_at: string;
  ended_at: string | null;
  peak_viewers: number;
}

interface PinRow {
  id: string;
  show_id: string;
  product_id: string;
  product_name: string;
  pinned_at: string;
  unpinned_at: string | null;
}

const toShow = (row: ShowRow): ShowRecord => ({
  id: row.id,
  channel: row.channel,
  title: row.title,
  startedAt: row.started_at,
  endedAt: row.ended_at,
  peakViewers: row.peak_viewers,
});

const toPin = (row: PinRow): PinRecord => ({
  id: row.id,
  showId: row.show_id,
  productId: row.product_id,
  productName: row.product_name,
  pinnedAt: row.pinned_at,
  unpinnedAt: row.unpinned_at,
});

// Shows belong to a channel by id; the rest of shopcast names channels by slug.
const SELECT_SHOW = `SELECT shows.id, channels.slug AS channel, shows.title, shows.started_at, shows.ended_at,
  shows.peak_viewers FROM shows JOIN channels ON channels.id = shows.channel_id`;
// rowid breaks ties between shows started in the same millisecond: the later insert is the newer show.
const NEWEST_FIRST = 'ORDER BY shows.started_at DESC, shows.rowid DESC';

export class SqliteShowRepository implements ShowRepository {
  constructor(private readonly db: Db) {}

  start(channelSlug: string, title: string, startedAt: string): ShowRecord {
    const id = randomUUID();
    const inserted = this.db
      .prepare(
        `INSERT INTO shows (id, channel_id, title, started_at)
         SELECT ?, id, ?, ? FROM channels WHERE slug = ?`,
      )
      .run(id, title, startedAt, channelSlug);
    if (inserted.changes === 0) throw new Error(`no channel "${channelSlug}" to start a show on`);
    return { id, channel: channelSlug, title, startedAt, endedAt: null, peakViewers: 0 };
  }

  end(showId: string, endedAt: string): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE shows SET ended_at = ? WHERE id = ? AND ended_at IS NULL').run(endedAt, showId);
      // A pin cannot outlive its show: the timeline of a finished show is closed.
      this.db.prepare('UPDATE pins SET unpinned_at = ? WHERE show_id = ? AND unpinned_at IS NULL').run(endedAt, showId);
    })();
  }

  endAllOpen(endedAt: string, keep: readonly string[] = []): number {
    const open = `SELECT id FROM shows WHERE ended_at IS NULL
      AND channel_id NOT IN (SELECT id FROM channels WHERE slug IN (SELECT value FROM json_each(?)))`;
    const kept = JSON.stringify(keep);
    return this.db.transaction(() => {
      this.db
        .prepare(`UPDATE pins SET unpinned_at = ? WHERE unpinned_at IS NULL AND show_id IN (${open})`)
        .run(endedAt, kept);
      return this.db.prepare(`UPDATE shows SET ended_at = ? WHERE id IN (${open})`).run(endedAt, kept).changes;
    })();
  }

  byId(id: string): ShowRecord | undefined {
    const row = this.db.prepare(`${SELECT_SHOW} WHERE shows.id = ?`).get(id) as ShowRow | undefined;
    return row && toShow(row);
  }

  current(channelSlug: string): ShowRecord | undefined {
    const row = this.db
      .prepare(`${SELECT_SHOW} WHERE channels.slug = ? AND shows.ended_at IS NULL ${NEWEST_FIRST} LIMIT 1`)
      .get(channelSlug) as ShowRow | undefined;
    return row && toShow(row);
  }

  latest(channelSlug: string): ShowRecord | undefined {
    return this.listByChannel(channelSlug, 1)[0];
  }

  listByChannel(channelSlug: string, limit: number): ShowRecord[] {
    const rows = this.db
      .prepare(`${SELECT_SHOW} WHERE channels.slug = ? ${NEWEST_FIRST} LIMIT ?`)
      .all(channelSlug, limit) as ShowRow[];
    return rows.map(toShow);
  }

  recent(limit: number): ShowRecord[] {
    return (this.db.prepare(`${SELECT_SHOW} ${NEWEST_FIRST} LIMIT ?`).all(limit) as ShowRow[]).map(toShow);
  }

  raisePeak(showId: string, viewers: number): void {
    this.db.prepare('UPDATE shows SET peak_viewers = MAX(peak_viewers, ?) WHERE id = ?').run(viewers, showId);
  }

  addPin(pin: Omit<PinRecord, 'unpinnedAt'>): PinRecord {
    this.db
      .prepare('INSERT INTO pins (id, show_id, product_id, product_name, pinned_at) VALUES (?, ?, ?, ?, ?)')
      .run(pin.id, pin.showId, pin.productId, pin.productName, pin.pinnedAt);
    return { ...pin, unpinnedAt: null };
  }

  closePin(pinId: string, unpinnedAt: string): void {
    this.db.prepare('UPDATE pins SET unpinned_at = ? WHERE id = ? AND unpinned_at IS NULL').run(unpinnedAt, pinId);
  }

  pins(showId: string): PinRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM pins WHERE show_id = ? ORDER BY pinned_at, rowid')
      .all(showId) as PinRow[];
    return rows.map(toPin);
  }

  countClick(showId: string, productId: string, productName: string): void {
    this.db
      .prepare(
        `INSERT INTO buy_clicks (show_id, product_id, product_name, clicks) VALUES (?, ?, ?, 1)
         ON CONFLICT (show_id, product_id) DO UPDATE SET clicks = clicks + 1, product_name = excluded.product_name`,
      )
      .run(showId, productId, productName);
  }

  clicks(showId: string): ClickCount[] {
    return this.db
      .prepare(
        `SELECT product_id AS productId, product_name AS name, clicks FROM buy_clicks
         WHERE show_id = ? ORDER BY clicks DESC, product_name`,
      )
      .all(showId) as ClickCount[];
  }
}
