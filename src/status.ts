// The live status view: joins what ingest, transcoder and packager each know into what pages, sellers and operators
// read. The figures' shapes are the API's (origin/api/schemas.ts): built field by field here, so the compiler holds
// each source to them and nothing a source adds (a pid, a path) leaks into an answer by accident.
import { accessSync, constants } from 'node:fs';
import type { HealthReport, StreamHealth, StreamReport } from './origin/api/schemas.js';
import type { ChannelStatus, StatusReader } from './origin/ports.js';
import type { ChannelRepository } from './store/channels.js';
import type { StreamSnapshot } from './ingest/ingest.js';
import type { RtmpListenerStatus } from './ingest/rtmp-listener.js';
import type { IngestStats } from './ingest/tap.js';
import type { PackagerStatus } from './packager/packager.js';
import type { TranscoderStats } from './transcode/supervisor.js';
import { DISK_FULL_BYTES, freeBytes } from './transcode/disk-space.js';
import { masterPlaylistUrl } from './media-names.js';

export interface StatusSources {
  channels: Pick<ChannelRepository, 'bySlug'>;
  ingest: {
    snapshot(slug: string): StreamSnapshot | undefined;
    snapshots(): StreamSnapshot[];
    lastEnded(slug: string): Date | undefined;
    listenerStatus(): RtmpListenerStatus;
  };
  transcoder: { stats(slug: string): TranscoderStats | undefined };
  packager: { status(slug: string): PackagerStatus | undefined };
  dataDir: string;
  ffmpeg: { path: string; version: string; source: string };
  httpWorkers: () => { configured: number; running: number; restarts: number };
}

/** Below this, new segments may not fit: operators are told before the disk is full. */
const LOW_DISK_BYTES = 512 * 1024 * 1024;

type IngestFigures = NonNullable<StreamReport['ingest']>;
type TranscoderFigures = NonNullable<StreamReport['transcoder']>;
type PackagerFigures = NonNullable<StreamReport['packager']>;

function ingestFigures(stats: IngestStats): IngestFigures {
  return {
    videoCodec: stats.videoCodec,
    audioCodec: stats.audioCodec,
    width: stats.width,
    height: stats.height,
    fps: stats.fps,
    bitrateKbps: stats.bitrateKbps,
    keyframeIntervalS: stats.keyframeIntervalS,
    receivedBytes: stats.receivedBytes,
    idleS: stats.idleS,
  };
}

function transcoderFigures(stats: TranscoderStats): TranscoderFigures {
  return {
    state: stats.state,
    runId: stats.runId,
    pid: stats.pid,
    startedAt: stats.startedAt,
    restarts: stats.restarts,
    lastError: stats.lastError,
    speed: stats.speed,
    fps: stats.fps,
    outTimeS: stats.outTimeS,
    rungs: stats.rungs.map((rung) => ({ ...rung })),
  };
}

function packagerFigures(status: PackagerStatus): PackagerFigures {
  return {
    showId: status.showId,
    playable: status.playable,
    ended: status.ended,
    targetDurationS: status.targetDurationS,
    discontinuitySequence: status.discontinuitySequence,
    rungs: status.rungs.map((rung) => ({ ...rung })),
  };
}

export class StatusView implements StatusReader {
  constructor(private readonly sources: StatusSources) {}

  channel(slug: string): ChannelStatus | undefined {
    const channel = this.sources.channels.bySlug(slug);
    if (!channel) return undefined;
    const live = this.sources.ingest.snapshot(slug);
    const packaged = this.sources.packager.status(slug);
    const endedAt = this.sources.ingest.lastEnded(slug);
    // With no publisher, a packaged show is over (its ENDLIST may wait a few seconds for the last segment). With a
    // publisher, an ended show is the previous one: the new show is not playable until its first segment.
    return {
      slug,
      title: channel.title,
      state: live?.state ?? (packaged !== undefined ? 'ended' : 'offline'),
      playable: (packaged?.playable ?? false) && !(live !== undefined && packaged?.ended === true),
      masterUrl: masterPlaylistUrl(slug),
      startedAt: live?.since ?? null,
      endedAt: live ? null : (endedAt?.toISOString() ?? null),
    };
  }

  streams(): StreamReport[] {
    return this.sources.ingest.snapshots().map((live) => {
      const transcoder = this.sources.transcoder.stats(live.slug);
      const packager = this.sources.packager.status(live.slug);
      return {
        slug: live.slug,
        state: live.state,
        since: live.since,
        ingest: live.stats ? ingestFigures(live.stats) : null,
        transcoder: transcoder ? transcoderFigures(transcoder) : null,
        packager: packager ? packagerFigures(packager) : null,
      };
    });
  }

  streamHealth(slug: string): StreamHealth | undefined {
    const channel = this.channel(slug);
    if (!channel) return undefined;
    const live = this.sources.ingest.snapshot(slug);
    const stats = live?.stats;
    const transcoder = live ? this.sources.transcoder.stats(slug) : undefined;
    return {
      slug,
      state: channel.state,
      since: live?.since ?? null,
      ingest: stats
        ? {
            bitrateKbps: stats.bitrateKbps,
            fps: stats.fps,
            keyframeIntervalS: stats.keyframeIntervalS,
            idleS: stats.idleS,
            width: stats.width,
            height: stats.height,
            videoCodec: stats.videoCodec,
            audioCodec: stats.audioCodec,
          }
        : null,
      transcoder: transcoder
        ? { state: transcoder.state, speed: transcoder.speed, fps: transcoder.fps, restarts: transcoder.restarts }
        : null,
    };
  }

  health(): HealthReport {
    const { dataDir, ffmpeg } = this.sources;
    let writable = true;
    try {
      accessSync(dataDir, constants.W_OK);
    } catch {
      writable = false;
    }
    const free = freeBytes(dataDir);
    // A full disk is not ok: live streams pause their transcoding until space returns.
    const full = free < DISK_FULL_BYTES;
    return {
      ok: writable && !full,
      checks: {
        dataDir: { writable, freeBytes: free, lowDisk: free < LOW_DISK_BYTES, full },
        ffmpeg: { ...ffmpeg },
        liveStreams: this.sources.ingest.snapshots().length,
        rtmp: this.sources.ingest.listenerStatus(),
        httpWorkers: this.sources.httpWorkers(),
      },
    };
  }
}
