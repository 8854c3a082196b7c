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

export interface ApiTokenRepository {
  /** Stores only the token's hash; returns the new token's id. */
  add(sellerId: string, tokenHash: string): { id: string };
  /** The seller a token hash belongs to; records the use. */
  sellerByHash(tokenHash: string): Seller | undefined;
  /** Removes a token of this seller; false if it has no such token. */
  remove(sellerId: string, tokenId: string): boolean;
  countFor(sellerId: string): number;
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
}

export interface ChatRepository {
  add(message: ChatRecord): void;
  /** Soft delete; false if there is no such live message on the channel. */
  remove(channelSlug: string, id: string, deletedAt: string): boolean;
  /** Newest `limit` undeleted messages of the channel, oldest first. */
  recent(channelSlug: string, limit: number): ChatRecord[];
  byShow(showId: string): ChatRecord[];
  countByShow(showId: string): number;
  mute(channelSlug: string, name: string, at: string): void;
  unmute(channelSlug: string, name: string): boolean;
  isMuted(channelSlug: string, name: string): boolean;
  mutes(channelSlug: string): string[];
}
