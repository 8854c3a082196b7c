// Fake MediaLibrary and StatusReader for origin tests: real files in a temp dir, recorded lookups, settable state.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChannelStatus, JsonValue, MediaLibrary, RenderedPlaylist, StatusReader } from '../../../src/origin/ports.js';

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
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
  return media;
}

export interface FakeStatus extends StatusReader {
  ok: boolean;
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
    streams: (): JsonValue[] => [{ slug: 'demo', title: demo.title, bitrateKbps: 2500 }],
    health: () => ({ ok: status.ok, checks: { ffmpeg: status.ok ? 'ok' : 'missing' } }),
  };
  return status;
}
