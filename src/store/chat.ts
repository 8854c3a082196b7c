// Chat messages (soft-deleted, so moderation keeps a record) and muted clients per channel, in SQLite. A message keeps
// a keyed hash of its sender's client, never an address; a mute holds that hash.
import type { Db } from './db.js';
import type { ChatRecord, ChatRepository, MuteRecord } from './ports.js';

interface ChatRow {
  id: string;
  channel: string;
  show_id: string | null;
  name: string;
  text: string;
  by_seller: number;
  at: string;
  client_hash: string | null;
}

interface MuteRow {
  id: string;
  channel_id: string;
  client_hash: string;
  name: string;
  created_at: string;
}

const toChat = (row: ChatRow): ChatRecord => ({
  id: row.id,
  channel: row.channel,
  showId: row.show_id,
  name: row.name,
  text: row.text,
  bySeller: row.by_seller === 1,
  at: row.at,
  clientHash: row.client_hash,
});

// Messages belong to a channel by id; the rest of shopcast names channels by slug.
const SELECT_MESSAGES = `SELECT chat_messages.id, channels.slug AS channel, chat_messages.show_id,
  chat_messages.name, chat_messages.text, chat_messages.by_seller, chat_messages.at, chat_messages.client_hash
  FROM chat_messages JOIN channels ON channels.id = chat_messages.channel_id`;
// Deleted ones are never read back to pages.
const SELECT_LIVE_MESSAGES = `${SELECT_MESSAGES} WHERE chat_messages.deleted_at IS NULL`;
const CHANNEL_ID = '(SELECT id FROM channels WHERE slug = ?)';
/** Names of a muted client listed for the seller: enough to recognise it, bounded whatever it tried. */
const MUTE_NAMES = 10;

export class SqliteChatRepository implements ChatRepository {
  constructor(private readonly db: Db) {}

  add(message: ChatRecord): void {
    const inserted = this.db
      .prepare(
        `INSERT INTO chat_messages (id, channel_id, show_id, name, text, by_seller, at, client_hash)
         SELECT ?, id, ?, ?, ?, ?, ?, ? FROM channels WHERE slug = ?`,
      )
      .run(
        message.id,
        message.showId,
        message.name,
        message.text,
        message.bySeller ? 1 : 0,
        message.at,
        message.clientHash,
        message.channel,
      );
    if (inserted.changes === 0) throw new Error(`no channel "${message.channel}" to chat on`);
  }

  byId(channelSlug: string, id: string): ChatRecord | undefined {
    const row = this.db
      .prepare(`${SELECT_MESSAGES} WHERE channels.slug = ? AND chat_messages.id = ?`)
      .get(channelSlug, id) as ChatRow | undefined;
    return row && toChat(row);
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

  purgeBefore(before: string): number {
    return this.db.prepare('DELETE FROM chat_messages WHERE at < ?').run(before).changes;
  }

  mute(channelSlug: string, mute: { id: string; clientHash: string; name: string; at: string }): MuteRecord {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO mutes (id, channel_id, client_hash, name, created_at)
         SELECT ?, id, ?, ?, ? FROM channels WHERE slug = ?`,
      )
      .run(mute.id, mute.clientHash, mute.name, mute.at, channelSlug);
    const row = this.db
      .prepare(`SELECT * FROM mutes WHERE channel_id = ${CHANNEL_ID} AND client_hash = ?`)
      .get(channelSlug, mute.clientHash) as MuteRow | undefined;
    if (!row) throw new Error(`no channel "${channelSlug}" to mute on`);
    return this.#toMute(row);
  }

  unmute(channelSlug: string, muteId: string): boolean {
    return this.db.prepare(`DELETE FROM mutes WHERE channel_id = ${CHANNEL_ID} AND id = ?`).run(channelSlug, muteId)
      .changes > 0;
  }

  isMuted(channelSlug: string, clientHash: string): boolean {
    return (
      this.db.prepare(`SELECT 1 FROM mutes WHERE channel_id = ${CHANNEL_ID} AND client_hash = ?`).get(channelSlug, clientHash) !==
      undefined
    );
  }

  mutes(channelSlug: string): MuteRecord[] {
    const rows = this.db
      .prepare(`SELECT * FROM mutes WHERE channel_id = ${CHANNEL_ID} ORDER BY created_at DESC, rowid DESC`)
      .all(channelSlug) as MuteRow[];
    return rows.map((row) => this.#toMute(row));
  }

  #toMute(row: MuteRow): MuteRecord {
    const seen = this.db
      .prepare(
        `SELECT name FROM chat_messages WHERE channel_id = ? AND client_hash = ?
         GROUP BY name ORDER BY MAX(at) DESC LIMIT ?`,
      )
      .all(row.channel_id, row.client_hash, MUTE_NAMES) as { name: string }[];
    const names = [row.name, ...seen.map((s) => s.name).filter((name) => name !== row.name)].slice(0, MUTE_NAMES);
    return { id: row.id, names, mutedAt: row.created_at };
  }
}
