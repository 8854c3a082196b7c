// Chat messages (soft-deleted, so moderation keeps a record) and muted names per channel, in SQLite.
import type { Db } from './db.js';
import type { ChatRecord, ChatRepository } from './ports.js';

interface ChatRow {
  id: string;
  channel: string;
  show_id: string | null;
  name: string;
  text: string;
  by_seller: number;
  at: string;
}

const toChat = (row: ChatRow): ChatRecord => ({
  id: row.id,
  channel: row.channel,
  showId: row.show_id,
  name: row.name,
  text: row.text,
  bySeller: row.by_seller === 1,
  at: row.at,
});

// Messages belong to a channel by id; the rest of shopcast names channels by slug. Deleted ones are never read back.
const SELECT_LIVE_MESSAGES = `SELECT chat_messages.id, channels.slug AS channel, chat_messages.show_id,
  chat_messages.name, chat_messages.text, chat_messages.by_seller, chat_messages.at
  FROM chat_messages JOIN channels ON channels.id = chat_messages.channel_id
  WHERE chat_messages.deleted_at IS NULL`;
const CHANNEL_ID = '(SELECT id FROM channels WHERE slug = ?)';

export class SqliteChatRepository implements ChatRepository {
  constructor(private readonly db: Db) {}

  add(message: ChatRecord): void {
    const inserted = this.db
      .prepare(
        `INSERT INTO chat_messages (id, channel_id, show_id, name, text, by_seller, at)
         SELECT ?, id, ?, ?, ?, ?, ? FROM channels WHERE slug = ?`,
      )
      .run(
        message.id,
        message.showId,
        message.name,
        message.text,
        message.bySeller ? 1 : 0,
        message.at,
        message.channel,
      );
    if (inserted.changes === 0) throw new Error(`no channel "${message.channel}" to chat on`);
  }

  remove(channelSlug: string, id: string, deletedAt: string): boolean {
    const updated = this.db
      .prepare(
        `UPDATE chat_messages SET deleted_at = ?
         WHERE id = ? AND channel_id = ${CHANNEL_ID} AND deleted_at IS NULL`,
      )
      .run(deletedAt, id, channelSlug);
    return updated.changes > 0;
  }

  recent(channelSlug: string, limit: number): ChatRecord[] {
    // rowid breaks ties between messages of the same millisecond: insertion order is the order people saw.
    const rows = this.db
      .prepare(
        `${SELECT_LIVE_MESSAGES} AND channels.slug = ?
         ORDER BY chat_messages.at DESC, chat_messages.rowid DESC LIMIT ?`,
      )
      .all(channelSlug, limit) as ChatRow[];
    return rows.reverse().map(toChat);
  }

  byShow(showId: string): ChatRecord[] {
    const rows = this.db
      .prepare(`${SELECT_LIVE_MESSAGES} AND chat_messages.show_id = ? ORDER BY chat_messages.at, chat_messages.rowid`)
      .all(showId) as ChatRow[];
    return rows.map(toChat);
  }

  countByShow(showId: string): number {
    const row = this.db
      .prepare('SELECT COUNT(*) AS count FROM chat_messages WHERE show_id = ? AND deleted_at IS NULL')
      .get(showId) as { count: number };
    return row.count;
  }

  mute(channelSlug: string, name: string, at: string): void {
    this.db
      .prepare(`INSERT OR IGNORE INTO mutes (channel_id, name, created_at) SELECT id, ?, ? FROM channels WHERE slug = ?`)
      .run(name, at, channelSlug);
  }

  unmute(channelSlug: string, name: string): boolean {
    return this.db.prepare(`DELETE FROM mutes WHERE channel_id = ${CHANNEL_ID} AND name = ?`).run(channelSlug, name)
      .changes > 0;
  }

  isMuted(channelSlug: string, name: string): boolean {
    return (
      this.db.prepare(`SELECT 1 FROM mutes WHERE channel_id = ${CHANNEL_ID} AND name = ?`).get(channelSlug, name) !==
      undefined
    );
  }

  mutes(channelSlug: string): string[] {
    const rows = this.db
      .prepare(`SELECT name FROM mutes WHERE channel_id = ${CHANNEL_ID} ORDER BY name`)
      .all(channelSlug) as { name: string }[];
    return rows.map((row) => row.name);
  }
}
