// What the /api routes read and write: repositories, the status and live views, the event bus.
import type { TokenAuthenticator } from '../../commerce/auth.js';
import type { EventBus } from '../../events.js';
import type { RestreamStatusReader } from '../../restream/push-state.js';
import type {
  ApiTokenRepository,
  ChannelRepository,
  ProductRepository,
  RestreamDestinationRepository,
  SellerRepository,
} from '../../store/ports.js';
import type { LiveReader, StatusReader } from '../ports.js';

export interface ApiDeps {
  status: StatusReader;
  live: LiveReader;
  auth: TokenAuthenticator;
  sellers: SellerRepository;
  tokens: ApiTokenRepository;
  channels: ChannelRepository;
  products: ProductRepository;
  destinations: RestreamDestinationRepository;
  /** What each destination's push is doing, shown beside it. */
  restream: RestreamStatusReader;
  bus: Pick<EventBus, 'emit'>;
  /** Names of the ladder profiles in profiles/, and the one a new channel gets. */
  profiles: readonly string[];
  defaultProfile: string;
  /** The rung names of a profile, highest first (what a restream destination may ask for besides the source). */
  rungNames(profile: string): string[];
  /** OBS "Server" URL (`rtmp://host:port/live`); a function because the RTMP port is known only once ingest listens. */
  rtmpServer(): string;
  /** What to set in OBS for a profile: its top rung's bitrate, and keyframes every segment (so it is passed through). */
  obsSettings(profile: string): ObsSettings;
}

export interface ObsSettings {
  bitrateKbps: number;
  keyframeIntervalS: number;
}
