// Every Prometheus metric of the gateway, defined once. Gauges read the status views when scraped (nothing to keep in
// step), counters of events follow the event bus, the HTTP ones are fed by the origin (http.ts). Label values are
// bounded: a channel's slug, a rung, a route template, a status code, a push phase; never a key, a raw path or an
// address. Process metrics keep their standard names (process_*, nodejs_*), so stock dashboards read them.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ConnectionCaps } from '../connection-caps.js';
import type { EventBus } from '../events.js';
import { destinationView } from '../origin/api/destinations.js';
import { pushStateSchema, type StreamReport } from '../origin/api/schemas.js';
import type { LiveReader, StatusReader } from '../origin/ports.js';
import type { Packager } from '../packager/packager.js';
import type { RecordingTotals } from '../packager/recording/recorder.js';
import type { RestreamStatusReader } from '../restream/push-state.js';
import type { ChannelRepository, RestreamDestinationRepository } from '../store/ports.js';
import { HttpMetrics } from './http.js';
import { processCpuSeconds } from './process-cpu.js';

export interface MetricSources {
  bus: Pick<EventBus, 'on'>;
  status: Pick<StatusReader, 'streams'>;
  live: Pick<LiveReader, 'viewers'>;
  channels: Pick<ChannelRepository, 'list' | 'bySlug'>;
  destinations: Pick<RestreamDestinationRepository, 'list'>;
  restream: RestreamStatusReader;
  recordings: { totals(): RecordingTotals };
  /** Live event streams open (their caps count them). */
  eventStreams: Pick<ConnectionCaps, 'open'>;
  /** The packager's parts as it cuts them. */
  parts: Pick<Packager, 'onRungMedia'>;
  /** CPU seconds of a process so far (default: read from the OS); undefined once it is gone. */
  cpuSeconds?: (pid: number) => Promise<number | undefined>;
}

export interface Metrics {
  readonly registry: Registry;
  /** What the origin feeds with its answers. */
  readonly http: HttpMetrics;
  /** Follows the event bus. */
  start(): void;
  stop(): void;
}

/** What perStream needs of a Gauge or a Counter. */
interface ChannelMetric {
  reset(): void;
  inc(labels: { channel: string }, value: number): void;
}

/** Answer times from a cached playlist (well under a millisecond) to a blocking reload held three target durations. */
const DURATION_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const PUSH_PHASES = pushStateSchema.shape.phase.options;

export function createMetrics(sources: MetricSources): Metrics {
  const { status, live, channels, destinations, restream, recordings, eventStreams } = sources;
  const cpuSeconds = sources.cpuSeconds ?? processCpuSeconds;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const streams = (): StreamReport[] => status.streams();
  /**
   * Sets a per-channel figure of every live stream that has it, at scrape time: emptied first, so an ended stream's
   * series go; then added to from zero, which sets a gauge and a counter alike.
   */
  const perStream = (metric: ChannelMetric, figure: (stream: StreamReport) => number | null | undefined): void => {
    metric.reset();
    for (const stream of streams()) {
      const value = figure(stream);
      if (value != null) metric.inc({ channel: stream.slug }, value);
    }
  };

  new Gauge({
    name: 'shopcast_live_streams',
    help: 'Live streams: a publisher connected, or inside its reconnect window',
    registers,
    collect() {
      this.set(streams().length);
    },
  });
  new Gauge({
    name: 'shopcast_viewers',
    help: 'Viewers of a channel: distinct clients with a viewer event stream open (live channels and any with viewers)',
    labelNames: ['channel'],
    registers,
    collect() {
      this.reset();
      const liveNow = new Set(streams().map((stream) => stream.slug));
      for (const { slug } of channels.list()) {
        const viewers = live.viewers(slug);
        if (viewers > 0 || liveNow.has(slug)) this.set({ channel: slug }, viewers);
      }
    },
  });
  new Gauge({
    name: 'shopcast_ingest_bitrate_bits_per_second',
    help: "Bitrate of the publisher's stream as received",
    labelNames: ['channel'],
    registers,
    collect() {
      perStream(this, (stream) => {
        const kbps = stream.ingest?.bitrateKbps;
        return kbps == null ? null : kbps * 1000;
      });
    },
  });
  new Gauge({
    name: 'shopcast_ingest_frames_per_second',
    help: "Frame rate of the publisher's stream as received",
    labelNames: ['channel'],
    registers,
    collect() {
      perStream(this, (stream) => stream.ingest?.fps);
    },
  });
  new Gauge({
    name: 'shopcast_ingest_keyframe_interval_seconds',
    help: "Keyframe interval of the publisher's stream",
    labelNames: ['channel'],
    registers,
    collect() {
      perStream(this, (stream) => stream.ingest?.keyframeIntervalS);
    },
  });
  new Gauge({
    name: 'shopcast_ingest_idle_seconds',
    help: 'Seconds since media last arrived from the publisher',
    labelNames: ['channel'],
    registers,
    collect() {
      perStream(this, (stream) => stream.ingest?.idleS);
    },
  });
  new Counter({
    name: 'shopcast_ingest_received_bytes_total',
    help: 'Bytes received from the publisher in this publish (starts again at a reconnect)',
    labelNames: ['channel'],
    registers,
    collect() {
      perStream(this, (stream) => stream.ingest?.receivedBytes);
    },
  });
  new Gauge({
    name: 'shopcast_transcoder_speed_ratio',
    help: 'Encoding speed of the FFmpeg run relative to real time (below 1: falling behind)',
    labelNames: ['channel'],
    registers,
    collect() {
      perStream(this, (stream) => stream.transcoder?.speed);
    },
  });
  new Gauge({
    name: 'shopcast_transcoder_frames_per_second',
    help: 'Frames per second the FFmpeg run encodes',
    labelNames: ['channel'],
    registers,
    collect() {
      perStream(this, (stream) => stream.transcoder?.fps);
    },
  });
  new Counter({
    name: 'shopcast_transcoder_restarts_total',
    help: 'Times FFmpeg was restarted for the live stream (crash, stall, watchdog)',
    labelNames: ['channel'],
    registers,
    collect() {
      perStream(this, (stream) => stream.transcoder?.restarts);
    },
  });
  new Counter({
    name: 'shopcast_transcoder_cpu_seconds_total',
    help: 'CPU time (user and system) of the current FFmpeg run (starts again with each run)',
    labelNames: ['channel'],
    registers,
    async collect() {
      const runs = streams().flatMap((stream) => (stream.transcoder?.pid == null ? [] : [{ channel: stream.slug, pid: stream.transcoder.pid }]));
      const used = await Promise.all(runs.map(({ pid }) => cpuSeconds(pid)));
      this.reset();
      runs.forEach(({ channel }, i) => {
        const seconds = used[i];
        if (seconds !== undefined) this.inc({ channel }, seconds);
      });
    },
  });

  const segments = new Counter({
    name: 'shopcast_packager_segments_total',
    help: 'Segments the packager published on a rung',
    labelNames: ['channel', 'rung'],
    registers,
  });
  const parts = new Counter({
    name: 'shopcast_packager_parts_total',
    help: 'Parts (low-latency partial segments) the packager cut on a rung',
    labelNames: ['channel', 'rung'],
    registers,
  });
  const playlistUpdates = new Counter({
    name: 'shopcast_packager_playlist_updates_total',
    help: "Times the packager rendered a channel's public playlists anew",
    labelNames: ['channel'],
    registers,
  });

  const http = new HttpMetrics({
    requests: new Counter({
      name: 'shopcast_http_requests_total',
      help: 'HTTP answers by route template and status code ("aborted": the client left before the status was sent)',
      labelNames: ['route', 'code'],
      registers,
    }),
    durationS: new Histogram({
      name: 'shopcast_http_request_duration_seconds',
      help: 'Time from a request to the end of its answer, for answers sent whole (blocking reloads include the wait)',
      labelNames: ['route'],
      buckets: DURATION_BUCKETS_S,
      registers,
    }),
    sentBytes: new Counter({
      name: 'shopcast_http_response_bytes_total',
      help: 'Bytes sent in HTTP answers, headers included',
      labelNames: ['route'],
      registers,
    }),
  });
  new Gauge({
    name: 'shopcast_http_held_requests',
    help: 'Playlist and part requests held until what they ask for is published (blocking reloads, preload hints)',
    registers,
    collect() {
      this.set(http.held());
    },
  });
  new Gauge({
    name: 'shopcast_event_stream_clients',
    help: 'Live event streams (Server-Sent Events) open: pages and studios',
    registers,
    collect() {
      this.set(eventStreams.open);
    },
  });
  new Gauge({
    name: 'shopcast_restream_destinations',
    help: "Restream destinations of live channels by their push's phase",
    labelNames: ['channel', 'phase'],
    registers,
    collect() {
      this.reset();
      for (const { slug } of streams()) {
        const channel = channels.bySlug(slug);
        const list = channel === undefined ? [] : destinations.list(channel.id);
        if (list.length === 0) continue;
        const counts = new Map(PUSH_PHASES.map((phase) => [phase, 0]));
        for (const destination of list) {
          const { phase } = destinationView(destination, slug, restream).state;
          counts.set(phase, (counts.get(phase) ?? 0) + 1);
        }
        for (const [phase, count] of counts) this.set({ channel: slug, phase }, count);
      }
    },
  });
  new Gauge({
    name: 'shopcast_recordings_bytes',
    help: 'Bytes all recordings take together',
    registers,
    collect() {
      this.set(recordings.totals().bytes);
    },
  });
  new Gauge({
    name: 'shopcast_recordings_quota_bytes',
    help: 'Bytes all recordings may take together (a recording that would pass it stops)',
    registers,
    collect() {
      this.set(recordings.totals().quotaBytes);
    },
  });
  new Gauge({
    name: 'shopcast_recordings',
    help: 'Recordings kept (being recorded, stopped or ready)',
    registers,
    collect() {
      this.set(recordings.totals().recordings);
    },
  });

  let unsubscribe: (() => void)[] = [];
  return {
    registry,
    http,
    start() {
      const { bus } = sources;
      unsubscribe = [
        bus.on('packager.segment', ({ slug, rung }) => segments.inc({ channel: slug, rung })),
        bus.on('packager.playlists', ({ slug }) => playlistUpdates.inc({ channel: slug })),
        sources.parts.onRungMedia((slug, rung) => parts.inc({ channel: slug, rung })),
      ];
    },
    stop() {
      for (const off of unsubscribe) off();
      unsubscribe = [];
    },
  };
}
