// Shared fixtures of the live commerce tests: a real SQLite store in a temporary folder with one channel and
// products, a fake packager that records date ranges, and the live service built on them.
import type { RecordingReader } from '../../../src/commerce/replay.js';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { clientHasher } from '../../../src/commerce/clients.js';
import { LiveCommerce } from '../../../src/commerce/live.js';
import { LiveError } from '../../../src/commerce/model.js';
import type { EventBus } from '../../../src/events.js';
import type { StatusReader } from '../../../src/origin/ports.js';
import type { DateRange } from '../../../src/packager/date-range.js';
import { SqliteChannelRepository } from '../../../src/store/channels.js';
import { SqliteChatRepository } from '../../../src/store/chat.js';
import { openDatabase, type Db } from '../../../src/store/db.js';
import type { Product } from '../../../src/store/ports.js';
import { SqliteProductRepository } from '../../../src/store/products.js';
import { SqliteShowRepository } from '../../../src/store/shows.js';

export interface Store {
  db: Db;
  dir: string;
  channels: SqliteChannelRepository;
  products: SqliteProductRepository;
  shows: SqliteShowRepository;
  chat: SqliteChatRepository;
  close(): void;
}

/** A fresh database with the channel `shop` (and `other`); `close()` deletes it. */
export function openStore(): Store {
  const dir = mkdtempSync(path.join(tmpdir(), 'shopcast-commerce-'));
  const db = openDatabase(dir);
  const channels = new SqliteChannelRepository(db);
  channels.create({ slug: 'shop', title: 'The shop', profile: 'default' });
  channels.create({ slug: 'other', title: 'Another shop', profile: 'default' });
  return {
    db,
    dir,
    channels,
    products: new SqliteProductRepository(db),
    shows: new SqliteShowRepository(db),
    chat: new SqliteChatRepository(db),
    close: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function addProduct(store: Store, name: string, slug = 'shop'): Product {
  return store.products.create(slug, {
    name,
    description: '',
    priceMinor: 1999,
    currency: 'EUR',
    imageUrl: null,
    buyUrl: 'https://shop.example/buy',
    inStock: true,
  });
}

/** Records what the packager would have been told. */
export class RecordingPlaylists {
  readonly ranges: { slug: string; range: DateRange }[] = [];

  setDateRange(slug: string, range: DateRange): void {
    this.ranges.push({ slug, range });
  }
}

/** LiveCommerce on the store, with a recording packager and a silent log. */
export function liveCommerce(
  store: Store,
  opts: { bus: EventBus; status: Pick<StatusReader, 'channel'>; recordings?: RecordingReader },
): LiveCommerce {
  return new LiveCommerce({
    bus: opts.bus,
    shows: store.shows,
    chat: store.chat,
    products: store.products,
    channels: store.channels,
    status: opts.status,
    playlists: new RecordingPlaylists(),
    clientHash: clientHasher(Buffer.alloc(32, 1)),
    chatRetentionDays: 30,
    recordings: opts.recordings ?? { view: () => undefined, offsetAt: () => undefined },
    log: pino({ level: 'silent' }),
  });
}

/** The LiveError `action` throws (fails the test if it throws nothing). */
export function refusal(action: () => unknown): LiveError {
  try {
    action();
  } catch (err) {
    if (err instanceof LiveError) return err;
    throw err;
  }
  assert.fail('expected a refusal');
}
