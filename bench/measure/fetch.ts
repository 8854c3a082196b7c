// Plain HTTP reads of a system's playlists and segments, as a player makes them.
import { writeFile } from 'node:fs/promises';
import type { PlaylistSegment } from '../playlist.js';

/** A system that stops answering must not hang the bench. */
const TIMEOUT_MS = 5000;

/** Body of a 200 answer, null for anything else (not published yet, or the system is busy). */
export async function fetchText(url: string): Promise<string | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) {
      await res.body?.cancel();
      return null;
    }
    return await res.text();
  } catch {
    return null;
  }
}

async function fetchBytes(url: string): Promise<Buffer> {
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** Saves consecutive segments as one playable file: the first one's init section (fMP4), then the segments. */
export async function downloadSegments(segments: readonly PlaylistSegment[], file: string): Promise<void> {
  const first = segments[0];
  if (!first) throw new Error('no segments to download');
  const parts = await Promise.all([
    ...(first.mapUrl ? [fetchBytes(first.mapUrl)] : []),
    ...segments.map((segment) => fetchBytes(segment.url)),
  ]);
  await writeFile(file, Buffer.concat(parts));
}

/** A rung label as a file name. */
export function safeName(label: string): string {
  return label.replace(/[^a-z0-9_-]+/gi, '_');
}
