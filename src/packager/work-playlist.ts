// Reads FFmpeg's private playlist of one rung: only the segments it lists are finished, whatever else is on disk.
import { getOptions, parse, setOptions } from 'hls-parser';

/** A segment FFmpeg has finished writing, in its run's work folder. */
export interface WorkSegment {
  /** FFmpeg's media sequence number: the segment's position in its run, the same on every rung. */
  index: number;
  /** File name inside the rung's work folder. */
  file: string;
  /** Init segment (EXT-X-MAP) the segment needs, inside the same folder. */
  initFile: string;
  durationS: number;
}

/** A file name without any folder part (and not `.` or `..`), so it cannot point outside the work folder. */
const PLAIN_FILE = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

/**
 * Finished segments listed in `text`, in order, or undefined when it is not a media playlist (empty, or caught
 * while being written).
 */
export function parseWorkPlaylist(text: string): WorkSegment[] | undefined {
  // FFmpeg 4.1 rewrites the file in place, so a read may stop mid-line: an unterminated last line may be cut short.
  // (Its closing #EXT-X-ENDLIST has no newline either; it is not needed, run.ended says when a run is over.)
  const playlist = parseStrict(text.slice(0, text.lastIndexOf('\n') + 1));
  if (playlist === undefined || playlist.isMasterPlaylist) return undefined;
  const segments: WorkSegment[] = [];
  for (const segment of playlist.segments) {
    // hls-parser leaves `map` null for a segment that has none, despite its type.
    const initFile: string | undefined = segment.map?.uri;
    const usable = PLAIN_FILE.test(segment.uri) && initFile !== undefined && PLAIN_FILE.test(initFile);
    if (!usable || !(segment.duration > 0)) continue;
    segments.push({ index: segment.mediaSequenceNumber, file: segment.uri, initFile, durationS: segment.duration });
  }
  return segments;
}

/** hls-parser's options are global: strict mode (throw instead of printing to the console) only for this call. */
function parseStrict(text: string): ReturnType<typeof parse> | undefined {
  const strictMode = getOptions().strictMode ?? false;
  setOptions({ strictMode: true });
  try {
    return parse(text);
  } catch {
    return undefined;
  } finally {
    setOptions({ strictMode });
  }
}
