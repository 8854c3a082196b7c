// The live status view: joins what ingest, transcoder and packager each know into what pages and operators read.
import { accessSync, constants } from 'node:fs';
import type { ChannelStatus, JsonValue, StatusReader } from './origin/ports.js';
import type { ChannelRepository } from './store/channels.js';
import type { StreamSnapshot } from './ingest/ingest.js';
import { DISK_FULL_BYTES, freeBytes } from './transcode/disk-space.js';

export interface StatusSources {
  channels: Pick<ChannelRepository, 'bySlug'>;
  ingest: { snapshot(slug: string): StreamSnapshot | undefined; snapshots(): StreamSnapshot[]; lastEnded(slug: string): Date | undefined };
  transcoder: { stats(slug: string): JsonValue | undefined };
  packager: { status(slug: string): { playable: boolean; ended: boolean } | undefined; statusJson(slug: string): JsonValue | undefined };
  dataDir: string;
  ffmpeg: { path: string; version: string; source: string };
  httpWorkers: () => { configured: number; running: number; restarts: number };
}

/** Below this, new segments may not fit: operators are told before the disk is full. */
const LOW_DISK_BYTES = 512 * 1024 * 1024;

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
      masterUrl: `/live/${slug}/master.m3u8`,
      startedAt: live?.since ?? null,
      endedAt: live ? null : (endedAt?.toISOString() ?? null),
    };
  }

  streams(): JsonValue[] {
    return this.sources.ingest.snapshots().map((live) => ({
      slug: live.slug,
      state: live.state,
      since: live.since,
      ingest: live.stats ? { ...live.stats } : null,
      transcoder: this.sources.transcoder.stats(live.slug) ?? null,
      packager: this.sources.packager.statusJson(live.slug) ?? null,
    }));
  }

  health(): { ok: boolean; checks: Record<string, JsonValue> } {
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
        httpWorkers: this.sources.httpWorkers(),
      },
    };
  }
}
