// What the bench needs from a system under test, whatever it is: where to publish and play, and which processes to
// measure.
import type { SystemName } from '../model.js';

export interface TranscoderProbe {
  pid: number;
  /** FFmpeg's own report of its output position, null before it reported one. */
  outTimeS: number | null;
}

export interface SystemUnderTest {
  name: SystemName;
  /** RTMP URL including the stream key. */
  publishUrl: string;
  /** Master playlist (for nginx-a, which has no ladder, its only media playlist). */
  masterUrl: string;
  /** Web origin for the player page's CORS-bound requests. */
  httpUrl: string;
  /** Whether its playlists carry LL-HLS parts: the player then plays them as the product page does (hls.js
   * lowLatencyMode); without, it plays whole segments. */
  lowLatency: boolean;
  /** Its DASH manifest, which the bench plays in dash.js too; null for a system without DASH. */
  dashUrl: string | null;
  /** Whether the system transcodes (has a transcoder to measure). */
  transcodes: boolean;
  /** The processes serving RTMP and HTTP, whose CPU and memory together count as the gateway's; the first is the
   * main one (shopcast's primary, nginx's worker), the rest its helpers (shopcast's HTTP workers). */
  gatewayPids(): number[];
  /** The running transcoder, or null (none yet, or none at all). */
  transcoder(): Promise<TranscoderProbe | null>;
  /** Facts for the results file (binaries, the ladder as the system reports it), asked while the stream is live. */
  describe(): Promise<Record<string, unknown>>;
  /** Stops the system and everything it spawned. */
  stop(): Promise<void>;
}

export interface StartSystemOptions {
  /** Private folder of this system run (prefix, data, logs). */
  runDir: string;
  ffmpegPath: string;
}
