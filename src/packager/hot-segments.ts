// The newest published segments of a show, in memory: every player and CDN edge asks for these few right after they
// are listed, so the origin serves them without a disk read (and while a full disk holds back the next ones). A
// segment is dropped once HOT_SEGMENTS newer ones were published: about 4 MB for the default ladder.
const HOT_SEGMENTS = 3;

interface HotSegment {
  msn: number;
  bytes: Uint8Array;
}

export class HotSegments {
  readonly #segments = new Map<string, HotSegment>();

  /** Segment `msn` was published on every rung: `files` are its file per rung and the bytes written there. */
  add(msn: number, files: ReadonlyArray<{ rung: string; file: string; bytes: Uint8Array }>): void {
    for (const { rung, file, bytes } of files) this.#segments.set(key(rung, file), { msn, bytes });
    for (const [name, segment] of this.#segments) if (segment.msn <= msn - HOT_SEGMENTS) this.#segments.delete(name);
  }

  get(rung: string, file: string): Uint8Array | undefined {
    return this.#segments.get(key(rung, file))?.bytes;
  }

  /** A new show starts (its numbers start again) or the channel went. */
  clear(): void {
    this.#segments.clear();
  }
}

function key(rung: string, file: string): string {
  return `${rung}/${file}`;
}
