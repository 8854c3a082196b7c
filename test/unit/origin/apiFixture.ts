// Real /api services for origin tests: SQLite repositories in a temp dir, the demo channel, a known admin token.
import { testBus } from '../bus.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureAdmin, StoredTokenAuthenticator } from '../../../src/commerce/auth.js';
import { ensureDemoChannel } from '../../../src/commerce/demo.js';
import { EventBus, type EventName, type ShopcastEvents } from '../../../src/events.js';
import type { ApiOptions } from '../../../src/origin/api/index.js';
import type { LiveReader } from '../../../src/origin/ports.js';
import { SqliteChannelRepository } from '../../../src/store/channels.js';
import { SqliteRestreamDestinationRepository } from '../../../src/store/destinations.js';
import { openDatabase } from '../../../src/store/db.js';
import { SqliteProductRepository } from '../../../src/store/products.js';
import { SqliteApiTokenRepository, SqliteSellerRepository } from '../../../src/store/sellers.js';

export const ADMIN_TOKEN = 'sc_test-admin-token-0123456789abcdefghijklmnop';
export const RTMP_SERVER = 'rtmp://localhost:1935/live';

export interface ApiFixture {
  services: Omit<ApiOptions, 'status'>;
  dataDir: string;
  /** Every event the routes emitted, in order. */
  events: { name: EventName; payload: ShopcastEvents[EventName] }[];
  /** Settable live figures (viewers per slug, current show per slug). */
  live: LiveReader & { viewerCounts: Map<string, number>; shows: Map<string, { id: string; startedAt: string }> };
  /** Closes the database and deletes its folder. */
  close(): void;
}

/** `channel` is created too (or retitled, for the demo channel), for pages served with a fake status. */
export function apiFixture(opts: { dataDir?: string; channel?: { slug: string; title: string } } = {}): ApiFixture {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'shopcast-api-'));
  const db = openDatabase(dataDir);
  const channels = new SqliteChannelRepository(db);
  const products = new SqliteProductRepository(db);
  const sellers = new SqliteSellerRepository(db);
  const tokens = new SqliteApiTokenRepository(db);
  ensureAdmin({ sellers, tokens, adminToken: ADMIN_TOKEN });
  ensureDemoChannel(channels, { products, profile: 'default' });
  if (opts.channel) {
    const { slug, title } = opts.channel;
    if (channels.bySlug(slug)) channels.update(slug, { title });
    else channels.create({ slug, title, profile: 'default' });
  }
  const bus = testBus();
  const events: ApiFixture['events'] = [];
  for (const name of ['channel.keyRotated', 'channel.deleted', 'product.updated', 'product.deleted', 'restream.destinations'] as const) {
    bus.on(name, (payload) => events.push({ name, payload }));
  }
  const viewerCounts = new Map<string, number>();
  const shows = new Map<string, { id: string; startedAt: string }>();
  const live = { viewerCounts, shows, viewers: (slug: string) => viewerCounts.get(slug) ?? 0, show: (slug: string) => shows.get(slug) ?? null };
  return {
    dataDir,
    events,
    live,
    close: () => {
      db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
    services: {
      live,
      auth: new StoredTokenAuthenticator(tokens),
      sellers,
      tokens,
      channels,
      products,
      destinations: new SqliteRestreamDestinationRepository(db),
      restream: { stateOf: () => ({ phase: 'idle', reason: null, since: new Date(0).toISOString(), bitrateKbps: null, failures: 0 }) },
      bus,
      profiles: ['default', 'low'],
      defaultProfile: 'default',
      rungNames: () => ['720p', '480p', '360p'],
      rtmpServer: () => RTMP_SERVER,
      obsSettings: (profile: string) => ({ bitrateKbps: profile === 'low' ? 1200 : 3000, keyframeIntervalS: 2 }),
    },
  };
}
