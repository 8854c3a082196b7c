// Cuts an fMP4 byte stream, as it arrives from an FFmpeg pipe in chunks of any size, into its init and fragments.
import { boxAt, Mp4FormatError, readBoxHeader, type BoxHeader } from './boxes.js';
import { parseFragment, type FragmentInfo } from './fragment.js';
import { parseInit, type InitInfo } from './init.js';

/**
 * `bytes` of the events are copies the reader never touches again; init + every fragment + trailer, concatenated,
 * are the input byte for byte.
 */
export type Fmp4Event =
  | { readonly kind: 'init'; readonly bytes: Uint8Array; readonly info: InitInfo }
  /** From the first box after the previous fragment's mdat (styp, prft, sidx...) through this fragment's mdat. */
  | { readonly kind: 'fragment'; readonly bytes: Uint8Array; readonly info: FragmentInfo }
  /** The mfra that FFmpeg writes at the end unless told `-movflags +skip_trailer`; nothing may follow it. */
  | { readonly kind: 'trailer'; readonly bytes: Uint8Array };

export interface Fmp4ReaderOptions {
  /** Most bytes one init or fragment may span; a box declaring more is refused before its body arrives. */
  maxUnitBytes?: number;
}

export const DEFAULT_MAX_UNIT_BYTES = 16 * 1024 * 1024;

/** Input is taken in slices of this size so a huge chunk never sits whole in the reader's buffer. */
const SLICE_BYTES = 64 * 1024;

const BEFORE_MOOV = new Set(['ftyp', 'free', 'skip', 'moov']);
const BEFORE_MOOF = new Set(['styp', 'prft', 'sidx', 'emsg', 'free', 'skip', 'uuid']);

type Phase = 'init' | 'fragments' | 'ended';

/**
 * One reader per FFmpeg output. A second ftyp/moov is refused ('unexpected-box'): one FFmpeg output writes one
 * init, and a restarted encoder is a new pipe that gets a new reader. Errors are Mp4FormatError and final: once one
 * is thrown, every later call throws it again.
 */
export class Fmp4Reader {
  private readonly maxUnitBytes: number;
  private buffer = new Uint8Array(SLICE_BYTES);
  private length = 0;
  /** Where the next box header starts, in `buffer`; everything before it is the unit being collected. */
  private position = 0;
  /** Stream offset of buffer[0], for error offsets. */
  private bufferOffset = 0;
  /** Position of the collected unit's moof, once one has arrived. */
  private moofAt: number | undefined;
  private phase: Phase = 'init';
  private init: InitInfo | undefined;
  private failure: Mp4FormatError | undefined;

  constructor({ maxUnitBytes = DEFAULT_MAX_UNIT_BYTES }: Fmp4ReaderOptions = {}) {
    this.maxUnitBytes = maxUnitBytes;
  }

  /** Bytes held while waiting for the rest of a unit. */
  get bufferedBytes(): number {
    return this.length;
  }

  /** Takes the next bytes of the stream; returns the units they completed, in order. */
  push(chunk: Uint8Array): Fmp4Event[] {
    return this.guard(() => {
      const events: Fmp4Event[] = [];
      for (let from = 0; from < chunk.length; from += SLICE_BYTES) {
        this.append(chunk.subarray(from, from + SLICE_BYTES));
        this.drain(events);
      }
      return events;
    });
  }

  /** The stream has ended: refuses one that stopped inside a box or unit, or before its init. */
  end(): void {
    this.guard(() => {
      if (this.phase === 'init') this.fail('stream ended before its init segment', 'truncated');
      if (this.length > 0) this.fail(`stream ended inside a fragment (${this.length} bytes pending)`, 'truncated');
    });
  }

  private guard<T>(work: () => T): T {
    if (this.failure) throw this.failure;
    try {
      return work();
    } catch (err) {
      if (err instanceof Mp4FormatError) this.failure = err;
      throw err;
    }
  }

  private append(slice: Uint8Array): void {
    const needed = this.length + slice.length;
    if (needed > this.buffer.length) {
      const grown = new Uint8Array(Math.max(needed, this.buffer.length * 2));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(slice, this.length);
    this.length = needed;
  }

  /** Handles every box now complete, then drops the bytes of the units emitted. */
  private drain(events: Fmp4Event[]): void {
    for (;;) {
      const header = this.readHeader();
      if (header === undefined || this.position + header.size > this.length) break;
      const end = this.position + header.size;
      const event = this.complete(header.type, end);
      this.position = end;
      if (event !== undefined) {
        events.push(event);
        this.discardThrough(end);
      }
    }
  }

  /** The next box's header, checked against the phase and the size limit as soon as it is readable. */
  private readHeader(): BoxHeader | undefined {
    let header: BoxHeader | undefined;
    try {
      header = readBoxHeader(this.buffer, this.position, this.length);
    } catch (err) {
      throw this.atStreamOffset(err);
    }
    if (header === undefined) return undefined;
    this.admit(header.type);
    if (this.position + header.size > this.maxUnitBytes) {
      this.fail(`'${header.type}' of ${header.size} bytes takes its unit past ${this.maxUnitBytes} bytes`, 'too-large');
    }
    return header;
  }

  private admit(type: string): void {
    const allowed =
      this.phase === 'init'
        ? BEFORE_MOOV.has(type)
        : this.phase === 'fragments' &&
          (this.moofAt === undefined ? BEFORE_MOOF.has(type) || type === 'moof' || type === 'mfra' : type === 'mdat');
    if (!allowed) {
      const where =
        this.phase === 'ended' ? 'after the trailer' : this.moofAt === undefined ? 'here' : 'between moof and mdat';
      this.fail(`'${printable(type)}' box not allowed ${where}`, 'unexpected-box');
    }
  }

  /** A box of `type` ends at `end`; returns the event it completes, if any. */
  private complete(type: string, end: number): Fmp4Event | undefined {
    switch (type) {
      case 'moov': {
        const bytes = this.buffer.slice(0, end);
        this.init = this.parse(() => parseInit(bytes));
        this.phase = 'fragments';
        return { kind: 'init', bytes, info: this.init };
      }
      case 'moof':
        this.moofAt = this.position;
        return undefined;
      case 'mdat':
        return this.fragment(end);
      case 'mfra':
        if (this.position > 0) this.fail(`'mfra' after boxes of a fragment that never came`, 'unexpected-box');
        this.phase = 'ended';
        return { kind: 'trailer', bytes: this.buffer.slice(0, end) };
      default:
        return undefined;
    }
  }

  private fragment(end: number): Fmp4Event {
    const bytes = this.buffer.slice(0, end);
    const init = this.init as InitInfo;
    const moofAt = this.moofAt as number;
    const info = this.parse(() => parseFragment(boxAt(bytes, moofAt), boxAt(bytes, this.position), init));
    this.moofAt = undefined;
    return { kind: 'fragment', bytes, info };
  }

  /** Runs a parser on the unit at buffer[0], reporting its errors at stream offsets. */
  private parse<T>(parser: () => T): T {
    try {
      return parser();
    } catch (err) {
      throw this.atStreamOffset(err);
    }
  }

  /** Parsers count offsets from buffer[0]; callers want them counted from the start of the stream. */
  private atStreamOffset(err: unknown): unknown {
    if (!(err instanceof Mp4FormatError)) return err;
    return new Mp4FormatError(err.reason, this.bufferOffset + err.offset, err.code);
  }

  /** Forgets buffer[0, end), which has been emitted. */
  private discardThrough(end: number): void {
    this.buffer.copyWithin(0, end, this.length);
    this.length -= end;
    this.position -= end;
    this.bufferOffset += end;
  }

  private fail(reason: string, code: Mp4FormatError['code']): never {
    throw new Mp4FormatError(reason, this.bufferOffset + this.position, code);
  }
}

/** Box types from corrupt input can be any bytes; keep them readable in messages. */
function printable(type: string): string {
  return type.replace(/[^\x20-\x7e]/g, '?');
}
