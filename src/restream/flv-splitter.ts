// Turns the FLV byte stream a feed writes (file header, then tags, cut anywhere) back into tags for a push; pure.
import { isFileHeader, parseTag, type FlvTag } from '../ingest/flv.js';

/** The stream is not FLV, lost sync or declared a tag beyond the bound; the splitter cannot go on. */
export class FlvStreamError extends Error {}

export interface FlvTagSplitterOptions {
  /** Largest tag body accepted; the ingest accepts no message above 8 MiB either (FLV's field allows 16 MiB). */
  maxTagBytes?: number;
}

const TAG_HEADER_BYTES = 11;
const PREVIOUS_SIZE_BYTES = 4;
/** Signature, version, flags and the 32-bit header size. */
const FILE_HEADER_MIN = 9;
/** A header declaring more is not one FFmpeg or node-media-server writes. */
const FILE_HEADER_MAX = 1024;
const DEFAULT_MAX_TAG_BYTES = 8 * 1024 * 1024;

export class FlvTagSplitter {
  readonly #maxTagBytes: number;
  #parts: Buffer[] = [];
  #length = 0;
  #atStart = true;
  #failed: FlvStreamError | null = null;

  constructor({ maxTagBytes = DEFAULT_MAX_TAG_BYTES }: FlvTagSplitterOptions = {}) {
    this.#maxTagBytes = maxTagBytes;
  }

  /** The tags completed by `chunk` (they may share memory with it); throws FlvStreamError, then on every later call. */
  push(chunk: Buffer): FlvTag[] {
    if (this.#failed) throw this.#failed;
    try {
      return this.#split(chunk);
    } catch (err) {
      if (err instanceof FlvStreamError) this.#failed = err;
      throw err;
    }
  }

  #split(chunk: Buffer): FlvTag[] {
    if (chunk.length > 0) {
      this.#parts.push(chunk);
      this.#length += chunk.length;
    }
    const tags: FlvTag[] = [];
    if (this.#atStart && !this.#skipFileHeader()) return tags;
    while (this.#length >= TAG_HEADER_BYTES) {
      const header = this.#peek(TAG_HEADER_BYTES);
      const bodyBytes = header.readUIntBE(1, 3);
      if (bodyBytes > this.#maxTagBytes) throw new FlvStreamError(`FLV tag of ${bodyBytes} bytes exceeds ${this.#maxTagBytes}`);
      const total = TAG_HEADER_BYTES + bodyBytes + PREVIOUS_SIZE_BYTES;
      if (this.#length < total) break;
      const bytes = this.#take(total);
      // The trailing size is the only redundancy FLV has: a mismatch means we are no longer at a tag boundary.
      if (bytes.readUInt32BE(total - PREVIOUS_SIZE_BYTES) !== TAG_HEADER_BYTES + bodyBytes) {
        throw new FlvStreamError('FLV stream out of sync (previous tag size does not match)');
      }
      tags.push(parseTag(bytes)!);
    }
    return tags;
  }

  /** Drops the file header and the first previous-tag-size if the stream has them; false while that is undecided. */
  #skipFileHeader(): boolean {
    if (this.#length < 3) return false;
    if (!isFileHeader(this.#peek(3))) {
      this.#atStart = false; // tags without a file header, as node-media-server hands them out
      return true;
    }
    if (this.#length < FILE_HEADER_MIN) return false;
    const headerBytes = this.#peek(FILE_HEADER_MIN).readUInt32BE(5);
    if (headerBytes < FILE_HEADER_MIN || headerBytes > FILE_HEADER_MAX) throw new FlvStreamError(`FLV header of ${headerBytes} bytes`);
    if (this.#length < headerBytes + PREVIOUS_SIZE_BYTES) return false;
    this.#take(headerBytes + PREVIOUS_SIZE_BYTES);
    this.#atStart = false;
    return true;
  }

  /** The first `count` buffered bytes (requires that many), copied only when they span several chunks. */
  #peek(count: number): Buffer {
    const first = this.#parts[0]!;
    if (first.length >= count) return first.subarray(0, count);
    const joined = Buffer.concat(this.#parts);
    this.#parts = [joined];
    return joined.subarray(0, count);
  }

  #take(count: number): Buffer {
    const bytes = this.#peek(count);
    const first = this.#parts[0]!;
    if (first.length === count) this.#parts.shift();
    else this.#parts[0] = first.subarray(count);
    this.#length -= count;
    return bytes;
  }
}
