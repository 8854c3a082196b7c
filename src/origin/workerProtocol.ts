// Messages between the primary process and its HTTP workers (over the fork IPC channel).
import type { PlaylistUpdate } from './mediaMirror.js';

export interface WorkerSettings {
  mediaDir: string;
  graceS: number;
  /** Loopback port where the primary answers everything that is not public media (API, pages, event streams). */
  upstreamPort: number;
  logLevel: string;
  /** This worker's share of the origin's segment cache. */
  segmentCacheBytes: number;
}

/** Primary → worker. `listen` carries the shared listening socket as its handle. */
export type ToWorker =
  | { type: 'listen'; settings: WorkerSettings }
  | { type: 'playlists'; update: PlaylistUpdate }
  | { type: 'stop'; drainMs: number };

/** Worker → primary. */
export type FromWorker = { type: 'ready' };
