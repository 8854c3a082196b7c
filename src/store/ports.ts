// What the rest of shopcast reads and writes in the store: small interfaces, so a Postgres store can replace SQLite.
// Times are ISO 8601 strings (UTC); money is integer minor units with an ISO 4217 currency.

export type SellerRole = 'admin' | 'seller';

export interface Seller {
  id: string;
  name: string;
  role: SellerRole;
  createdAt: string;
}

export interface SellerRepository {
  byId(id: string): Seller | undefined;
  byName(name: string): Seller | undefined;
  create(input: { name: string; role: SellerRole }): Seller;
}

/** Where a token came from: issued by shopcast (API, CLI, first start), or set by the operator's SHOPCAST_ADMIN_TOKEN. */
export type ApiTokenSource = 'issued' | 'env';

/** A token as the store knows it; never the token itself (only its hash is stored, and not shown here). */
export interface ApiToken {
  id: string;
  sellerId: string;
  name: string;
  source: ApiTokenSource;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface NewApiToken {
  sellerId: string;
  tokenHash: string;
  name: string;
  source: ApiTokenSource;
}

export interface ApiTokenRepository {
  add(token: NewApiToken): ApiToken;
  /** The token with this hash and its seller; reading it records nothing (see touch). */
  find(tokenHash: string): { token: ApiToken; seller: Seller } | undefined;
  /** Records a use of the token. */
  touch(tokenId: string, at: string): void;
  /** The seller's tokens, oldest first. */
  list(sellerId: string): ApiToken[];
  /** Removes a token of this seller; false if it has no such token. */
  remove(sellerId: string, tokenId: string): boolean;
  countFor(sellerId: string): number;
  markEnv(tokenId: string): void;
  /** Removes every env token but the one with `keepHash` (all of them for null); returns how many went. */
  removeEnvTokens(keepHash: string | null): number;
}

/** Server-side secrets created on first start and kept in the database (e.g. the key of client hashes). */
export interface SecretRepository {
  /** The secret `name`: 32 random bytes made the first time it is asked for, the same ones ever after. */
  getOrCreate(name: string): Buffer;
}

export interface Channel {
  id: string;
  slug: string;
  title: string;
  description: string;
  sellerId: string;
  /** Secret: never log it, never put it in a URL, a path or a command line. */
  streamKey: string;
  profile: string;
  createdAt: string;
}

export interface NewChannel {
  slug: string;
  title: string;
  description?: string;
  sellerId?: string;
  profile: string;
  streamKey?: string;
}

export interface ChannelRepository {
  bySlug(slug: string): Channel | undefined;
  /** Finds the channel a stream key belongs to, comparing against every key in constant time. */
  byStreamKey(key: string): Channel | undefined;
  list(): Channel[];
  listBySeller(sellerId: string): Channel[];
  create(channel: NewChannel): Channel;
  update(slug: string, changes: { title?: string; description?: string; profile?: string }): Channel | undefined;
  remove(slug: string): boolean;
  setStreamKey(slug: string, key: string): void;
}

export interface Product {
  id: string;
  /** Slug of the channel whose catalog holds it. */
  channel: string;
  name: string;
  description: string;
  priceMinor: number;
  currency: string;
  imageUrl: string | null;
  buyUrl: string;
  inStock: boolean;
  createdAt: string;
  updatedAt: string;
}

export type NewProduct = Omit<Product, 'id' | 'channel' | 'createdAt' | 'updatedAt'>;

export interface ProductRepository {
  listByChannel(channelSlug: string): Product[];
  byId(channelSlug: string, id: string): Product | undefined;
  create(channelSlug: string, input: NewProduct): Product;
  update(channelSlug: string, id: string, changes: Partial<NewProduct>): Product | undefined;
  remove(channelSlug: string, id: string): boolean;
}

/** A channel's restream destination as the store keeps it, key included: the restreamer needs it to push. */
export interface RestreamDestination {
  id: string;
  channelId: string;
  name: string;
  /** The other platform's ingest: an rtmp:// or rtmps:// URL. */
  url: string;
  /** Secret: never log it, never answer it from the API (a hint of its end at most), never put it in a message. */
  streamKey: string;
  enabled: boolean;
  /** What is pushed: 'source' (the publisher's media as received) or a rung name of the channel's profile. */
  rung: string;
  createdAt: string;
  updatedAt: string;
}

export type NewRestreamDestination = Pick<RestreamDestination, 'name' | 'url' | 'streamKey' | 'enabled' | 'rung'>;

export interface RestreamDestinationRepository {
  /** The channel's destinations, oldest first. */
  list(channelId: string): RestreamDestination[];
  byId(channelId: string, id: string): RestreamDestination | undefined;
  create(channelId: string, input: NewRestreamDestination): RestreamDestination;
  update(channelId: string, id: string, changes: Partial<NewRestreamDestination>): RestreamDestination | undefined;
  /** False if the channel has no such destination. */
  remove(channelId: string, id: string): boolean;
  /** The enabled destinations of channel `slug` (none for an unknown slug), oldest first: what the restreamer pushes to. */
  enabledBySlug(slug: string): RestreamDestination[];
}

export interface ShowRecord {
  id: string;
  channel: string;
  title: string;
  startedAt: string;
  endedAt: string | null;
  peakViewers: number;
}

export interface PinRecord {
  id: string;
  showId: string;
  productId: string;
  productName: string;
  pinnedAt: string;
  unpinnedAt: string | null;
}

export interface ClickCount {
  productId: string;
  name: string;
  clicks: number;
}

export interface ShowRepository {
  start(channelSlug: string, title: string, startedAt: string): ShowRecord;
  end(showId: string, endedAt: string): void;
  /**
   * Shows a previous process left open (it stopped or crashed during a show): ended at `endedAt`, but those of the
   * channels in `keep` (their shows continue in this process).
   */
  endAllOpen(endedAt: string, keep?: readonly string[]): number;
  byId(id: string): ShowRecord | undefined;
  current(channelSlug: string): ShowRecord | undefined;
  latest(channelSlug: string): ShowRecord | undefined;
  listByChannel(channelSlug: string, limit: number): ShowRecord[];
  recent(limit: number): ShowRecord[];
  raisePeak(showId: string, viewers: number): void;
  addPin(pin: Omit<PinRecord, 'unpinnedAt'>): PinRecord;
  closePin(pinId: string, unpinnedAt: string): void;
  pins(showId: string): PinRecord[];
  countClick(showId: string, productId: string, productName: string): void;
  clicks(showId: string): ClickCount[];
}

export interface ChatRecord {
  id: string;
  channel: string;
  showId: string | null;
  name: string;
  text: string;
  bySeller: boolean;
  at: string;
  /** Keyed hash of the sender's client (commerce/clients.ts); null for the seller's messages and those before v3. */
  clientHash: string | null;
}

/** A muted client of a channel: what the seller sees of it (the names it used, when it was muted), never an address. */
export interface MuteRecord {
  id: string;
  /** The name on the message it was muted for first, then the other names its stored messages carry (newest first). */
  names: string[];
  mutedAt: string;
}

export interface ChatRepository {
  add(message: ChatRecord): void;
  /** A message of the channel, deleted ones included (a seller may mute the sender of a message they removed). */
  byId(channelSlug: string, id: string): ChatRecord | undefined;
  /** Soft delete; false if there is no such live message on the channel. */
  remove(channelSlug: string, id: string, deletedAt: string): boolean;
  /** Newest `limit` undeleted messages of the channel, oldest first. */
  recent(channelSlug: string, limit: number): ChatRecord[];
  byShow(showId: string): ChatRecord[];
  countByShow(showId: string): number;
  /** Deletes every message (deleted or not) older than `before`; returns how many. */
  purgeBefore(before: string): number;
  /** Mutes the client on the channel; a client already muted keeps its mute, which is returned. */
  mute(channelSlug: string, mute: { id: string; clientHash: string; name: string; at: string }): MuteRecord;
  unmute(channelSlug: string, muteId: string): boolean;
  isMuted(channelSlug: string, clientHash: string): boolean;
  /** The channel's mutes, newest first. */
  mutes(channelSlug: string): MuteRecord[];
}
