// A live show beside every hostile test: a real publisher on a channel, and a watcher that reads the public playlists
// the way a player does and fetches every segment they list. Whatever a test throws at the gateway, the show must go
// on: new segments keep appearing, playlists never step back, and nothing listed is ever missing.
import { parseMaster, parseMedia, waitForMaster } from '../../e2e/helpers/hls.js';
import { publish, type Publisher, type PublisherOptions } from '../../e2e/helpers/publisher.js';
import { waitFor, type Shopcast } from '../../e2e/helpers/shopcast.js';

export interface RungFigures {
  rung: string;
  /** Distinct segments this rung listed while watched. */
  segments: number;
  /** Highest media sequence number listed. */
  lastMsn: number;
  discontinuitySequence: number;
  /** Discontinuities so far: the sequence plus those inside the window (each encoder restart or reconnect adds one). */
  discontinuities: number;
  /** Longest wall-clock wait for the next new segment, in seconds. */
  longestGapS: number;
}

export interface WatchFigures {
  polls: number;
  /** Segments and init segments fetched over HTTP, every one answered 200 with bytes. */
  fetched: number;
  rungs: RungFigures[];
  /** Show ids found in the segment names (`<showId>-<msn>.m4s`). */
  showIds: string[];
  ended: boolean;
  violations: string[];
}

interface RungState {
  rung: string;
  uri: string;
  mediaSequence: number;
  discontinuitySequence: number;
  discontinuities: number;
  lastMsn: number;
  /** Segment name by media sequence number, as first listed. */
  names: Map<number, string>;
  fetched: Set<string>;
  lastNewAtMs: number;
  longestGapMs: number;
}

const FETCH_TIMEOUT_MS = 5000;

/** Polls a channel's master and media playlists and checks each answer against the ones before it. */
export class PlaylistWatch {
  readonly #sc: Shopcast;
  readonly #slug: string;
  readonly #rungs: RungState[];
  readonly #violations: string[] = [];
  readonly #showIds = new Set<string>();
  #polls = 0;
  #fetched = 0;
  #ended = false;
  #stopped = false;
  #loop: Promise<void>;

  private constructor(sc: Shopcast, slug: string, rungUris: string[], intervalMs: number) {
    this.#sc = sc;
    this.#slug = slug;
    this.#rungs = rungUris.map((uri) => ({
      rung: uri.split('/')[0]!,
      uri,
      mediaSequence: -1,
      discontinuitySequence: -1,
      discontinuities: 0,
      lastMsn: -1,
      names: new Map(),
      fetched: new Set(),
      lastNewAtMs: Date.now(),
      longestGapMs: 0,
    }));
    this.#loop = this.#run(intervalMs);
  }

  /** Starts watching once the channel's master playlist is served. */
  static async start(sc: Shopcast, { slug = 'demo', intervalMs = 500 }: { slug?: string; intervalMs?: number } = {}): Promise<PlaylistWatch> {
    const master = await waitForMaster(sc, slug);
    return new PlaylistWatch(sc, slug, master.variants.map((v) => v.uri), intervalMs);
  }

  async #run(intervalMs: number): Promise<void> {
    while (!this.#stopped) {
      const started = Date.now();
      try {
        await this.#poll();
      } catch (err) {
        this.#violate(`poll failed: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (Date.now() - started))));
    }
  }

  async #get(urlPath: string): Promise<Response> {
    return fetch(this.#sc.httpUrl + urlPath, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  }

  async #poll(): Promise<void> {
    this.#polls++;
    const base = `/live/${this.#slug}`;
    const master = await this.#get(`${base}/master.m3u8`);
    if (master.status !== 200) this.#violate(`master.m3u8 answered ${master.status}`);
    else {
      const uris = parseMaster(await master.text()).variants.map((v) => v.uri);
      if (uris.join() !== this.#rungs.map((r) => r.uri).join()) this.#violate(`master playlist rungs changed to ${uris.join()}`);
    }
    await Promise.all(this.#rungs.map((rung) => this.#pollRung(base, rung)));
  }

  async #pollRung(base: string, state: RungState): Promise<void> {
    const res = await this.#get(`${base}/${state.uri}`);
    if (res.status !== 200) {
      this.#violate(`${state.uri} answered ${res.status}`);
      return;
    }
    const playlist = parseMedia(await res.text());
    const where = state.uri;
    if (playlist.endlist) this.#ended = true;
    if (playlist.mediaSequenceBase === undefined || playlist.mediaSequenceBase < state.mediaSequence) {
      this.#violate(`${where}: media sequence went back from ${state.mediaSequence} to ${playlist.mediaSequenceBase}`);
    }
    const discontinuity = playlist.discontinuitySequenceBase ?? 0;
    if (discontinuity < state.discontinuitySequence) {
      this.#violate(`${where}: discontinuity sequence went back from ${state.discontinuitySequence} to ${discontinuity}`);
    }
    const segments = playlist.segments;
    const lastMsn = segments.at(-1)?.mediaSequenceNumber ?? -1;
    if (lastMsn < state.lastMsn) this.#violate(`${where}: last segment went back from msn ${state.lastMsn} to ${lastMsn}`);
    state.mediaSequence = Math.max(state.mediaSequence, playlist.mediaSequenceBase ?? -1);
    state.discontinuitySequence = Math.max(state.discontinuitySequence, discontinuity);
    const inWindow = playlist.segments.filter((s) => s.discontinuity).length;
    state.discontinuities = Math.max(state.discontinuities, discontinuity + inWindow);
    const toFetch: string[] = [];
    for (const segment of segments) {
      const known = state.names.get(segment.mediaSequenceNumber);
      if (known !== undefined && known !== segment.uri) {
        this.#violate(`${where}: msn ${segment.mediaSequenceNumber} was ${known}, now ${segment.uri}`);
      }
      if (known === undefined) {
        state.names.set(segment.mediaSequenceNumber, segment.uri);
        this.#showIds.add(segment.uri.replace(/-\d+\.m4s$/, ''));
        const now = Date.now();
        state.longestGapMs = Math.max(state.longestGapMs, now - state.lastNewAtMs);
        state.lastNewAtMs = now;
      }
      for (const uri of [segment.map?.uri, segment.uri]) {
        if (uri !== undefined && !state.fetched.has(uri)) {
          state.fetched.add(uri);
          toFetch.push(uri);
        }
      }
    }
    state.lastMsn = Math.max(state.lastMsn, lastMsn);
    await Promise.all(toFetch.map((uri) => this.#fetchListed(`${base}/${state.rung}/${uri}`)));
  }

  async #fetchListed(urlPath: string): Promise<void> {
    const res = await this.#get(urlPath);
    const bytes = res.status === 200 ? (await res.arrayBuffer()).byteLength : 0;
    if (res.status !== 200 || bytes === 0) this.#violate(`listed ${urlPath} answered ${res.status} with ${bytes} bytes`);
    else this.#fetched++;
  }

  #violate(message: string): void {
    this.#violations.push(`${new Date().toISOString()} ${message}`);
  }

  /** Segments listed so far on the rung that listed fewest. */
  segments(): number {
    return Math.min(...this.#rungs.map((r) => r.names.size));
  }

  /** The newest media sequence number every rung lists. */
  lastMsn(): number {
    return Math.min(...this.#rungs.map((r) => r.lastMsn));
  }

  /** Waits until every rung has listed `count` segments beyond what it had listed when called. */
  async waitForNewSegments(count: number, timeoutMs = 30_000): Promise<void> {
    const target = this.lastMsn() + count;
    await waitFor(`${count} new segments on every rung (msn ${target})`, () => this.lastMsn() >= target, timeoutMs, 100);
  }

  figures(): WatchFigures {
    return {
      polls: this.#polls,
      fetched: this.#fetched,
      rungs: this.#rungs.map((r) => ({
        rung: r.rung,
        segments: r.names.size,
        lastMsn: r.lastMsn,
        discontinuitySequence: r.discontinuitySequence,
        discontinuities: r.discontinuities,
        longestGapS: Math.max(r.longestGapMs, Date.now() - r.lastNewAtMs) / 1000,
      })),
      showIds: [...this.#showIds],
      ended: this.#ended,
      violations: [...this.#violations],
    };
  }

  /** Stops polling (after the poll under way) and returns what was seen. */
  async stop(): Promise<WatchFigures> {
    this.#stopped = true;
    await this.#loop;
    return this.figures();
  }
}

export interface LiveShow {
  publisher: Publisher;
  watch: PlaylistWatch;
  /** Stops watching and publishing; returns what the watcher saw. */
  stop(): Promise<WatchFigures>;
}

/**
 * The publisher of the reliability runs: a 360p source (a three-rung ladder). The publisher, the gateway and Chromium
 * share two cores here, and with a 720p source (five rungs) FFmpeg fell to 0.65× real time in the clean-clone run, so
 * every fault's gap measured the machine as much as shopcast. The default ladder is the network tests' and the bench's.
 */
export const RELIABILITY_SOURCE: Partial<PublisherOptions> = { width: 640, height: 360, bitrateKbps: 800 };

/** Goes live on `slug` (the demo channel by default) with a real FFmpeg publisher and watches the public playlists. */
export async function startLiveShow(
  sc: Shopcast,
  { slug = 'demo', streamKey = sc.streamKey, publisher: options = {} }: { slug?: string; streamKey?: string; publisher?: Partial<PublisherOptions> } = {},
): Promise<LiveShow> {
  const publisher = publish({ ...RELIABILITY_SOURCE, ...options, url: `${sc.rtmpUrl}/${streamKey}` });
  try {
    const watch = await PlaylistWatch.start(sc, { slug });
    return {
      publisher,
      watch,
      stop: async () => {
        const figures = await watch.stop();
        await publisher.stop();
        return figures;
      },
    };
  } catch (err) {
    await publisher.stop();
    throw err;
  }
}

/** One line for a test's diagnostics. */
export function describeWatch(figures: WatchFigures): string {
  const rungs = figures.rungs.map((r) => `${r.rung}: ${r.segments} segments, msn ≤ ${r.lastMsn}, ${r.discontinuities} discontinuities, gap ≤ ${r.longestGapS.toFixed(1)} s`);
  return `${figures.polls} polls, ${figures.fetched} listed files fetched; ${rungs.join('; ')}`;
}
