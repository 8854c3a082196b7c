// Fake MediaLibrary and StatusReader for origin tests: real files in a temp dir, recorded lookups, settable state.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HealthReport, StreamHealth, StreamReport } from '../../../src/origin/api/schemas.js';
import { WHOLE_SEGMENTS_ONLY, type ChannelStatus, type MediaLibrary, type RenderedPlaylist, type StatusReader } from '../../../src/origin/ports.js';

export const MASTER = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\n360p/index.m3u8\n';
export const MEDIA = '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI="r1-init0.mp4"\n#EXTINF:2.000,\nr1-7.m4s\n';
export const SEGMENT_BYTES = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
export const INIT_BYTES = Buffer.from('ftyp-init-bytes');
/** Lives beside the media folder: no request may ever read it. */
export const SECRET = 'root:x:0:0:secret-outside-media';

export interface FakeMedia extends MediaLibrary {
  readonly dir: string;
  readonly calls: string[][];
  /** Makes segmentPath answer a file that does not exist (deleted between lookup and read). */
  vanish: boolean;
  /** Segments hotSegment answers from memory, by `<slug>/<rung>/<file>`. */
  readonly hot: Map<string, Uint8Array>;
  cleanup(): void;
}

export function fakeMedia(): FakeMedia {
  const root = mkdtempSync(path.join(tmpdir(), 'shopcast-origin-'));
  const dir = path.join(root, 'media');
  mkdirSync(path.join(dir, 'demo', '360p'), { recursive: true });
  writeFileSync(path.join(dir, 'demo', '360p', 'r1-7.m4s'), SEGMENT_BYTES);
  writeFileSync(path.join(dir, 'demo', '360p', 'r1-init0.mp4'), INIT_BYTES);
  writeFileSync(path.join(root, 'passwd'), SECRET);
  const playlists: Record<string, RenderedPlaylist> = {
    'demo/master.m3u8': { body: MASTER, maxAgeS: 1 },
    'demo/360p/index.m3u8': { body: MEDIA, maxAgeS: 1 },
  };
  const media: FakeMedia = {
    dir,
    calls: [],
    vanish: false,
    hot: new Map(),
    playlist(slug, name) {
      media.calls.push(['playlist', slug, name]);
      return playlists[`${slug}/${name}`];
    },
    segmentPath(slug, rung, file) {
      media.calls.push(['segmentPath', slug, rung, file]);
      if (media.vanish) return path.join(dir, slug, rung, `gone-${file}`);
      return slug === 'demo' && rung === '360p' && (file === 'r1-7.m4s' || file === 'r1-init0.mp4')
        ? path.join(dir, slug, rung, file)
        : undefined;
    },
    ...WHOLE_SEGMENTS_ONLY,
    hotSegment: (slug, rung, file) => media.hot.get(`${slug}/${rung}/${file}`),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
  return media;
}

export interface FakeStatus extends StatusReader {
  ok: boolean;
}

/** A health report as StatusView builds it; `ok` as given. */
export function healthReport(ok: boolean): HealthReport {
  return {
    ok,
    checks: {
      dataDir: { writable: ok, freeBytes: 10 * 1024 ** 3, lowDisk: false, full: false },
      ffmpeg: { path: '/usr/bin/ffmpeg', version: '5.1.9', source: 'path' },
      liveStreams: 1,
      rtmp: { connections: 1, listenerRestarts: 0 },
      httpWorkers: { configured: 0, running: 0, restarts: 0 },
    },
  };
}

/** Operator figures of a live stream (pid, error and all) and the seller's view of them. */
export function streamReport(slug: string): StreamReport {
  return {
    slug,
    state: 'live',
    since: '2026-11-23T10:00:00.000Z',
    ingest: { videoCodec: 'h264', audioCodec: 'aac', width: 1280, height: 720, fps: 30, bitrateKbps: 2500, keyframeIntervalS: 2, receivedBytes: 1e6, idleS: 0.1 },
    transcoder: {
      state: 'running', runId: 'r1', pid: 4242, startedAt: '2026-11-23T10:00:01.000Z', restarts: 1, lastError: 'ffmpeg exited with code 1 in /srv/data/work',
      speed: 1.01, fps: 30, outTimeS: 60, rungs: [],
    },
    packager: null,
  };
}

export function streamHealth(report: StreamReport): StreamHealth {
  const { ingest, transcoder } = report;
  return {
    slug: report.slug,
    state: report.state,
    since: report.since,
    ingest: ingest && {
      bitrateKbps: ingest.bitrateKbps, fps: ingest.fps, keyframeIntervalS: ingest.keyframeIntervalS, idleS: ingest.idleS,
      width: ingest.width, height: ingest.height, videoCodec: ingest.videoCodec, audioCodec: ingest.audioCodec,
    },
    transcoder: transcoder && { state: transcoder.state, speed: transcoder.speed, fps: transcoder.fps, restarts: transcoder.restarts },
  };
}

export function fakeStatus(): FakeStatus {
  const demo: ChannelStatus = {
    slug: 'demo',
    title: 'Demo <b>shop</b>',
    state: 'live',
    playable: true,
    masterUrl: '/live/demo/master.m3u8',
    startedAt: '2026-11-23T10:00:00.000Z',
    endedAt: null,
  };
  const status: FakeStatus = {
    ok: true,
    channel: (slug) => (slug === 'demo' ? demo : undefined),
    streams: () => [streamReport('demo')],
    streamHealth: (slug) => (slug === 'demo' ? streamHealth(streamReport('demo')) : undefined),
    health: () => healthReport(status.ok),
  };
  return status;
}
