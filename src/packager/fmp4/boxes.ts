// ISO BMFF box headers and bounds-checked field reads: every other fMP4 module reads bytes only through here.

/**
 * Why input was refused. 'malformed': a box or field that cannot be; 'unexpected-box': a valid box where the stream
 * may not have one; 'too-large': a box past the memory limit; 'truncated': the input ended inside a box or fragment.
 */
export type Mp4ErrorCode = 'malformed' | 'unexpected-box' | 'too-large' | 'truncated';

/** Refused input; `offset` is where in the bytes it was noticed. */
export class Mp4FormatError extends Error {
  override readonly name = 'Mp4FormatError';
  constructor(
    readonly reason: string,
    readonly offset: number,
    readonly code: Mp4ErrorCode = 'malformed',
  ) {
    super(`${reason} (at byte ${offset})`);
  }
}

/** One box inside `bytes`: its header spans [start, bodyStart), its body [bodyStart, end). */
export interface Box {
  readonly type: string;
  readonly bytes: Uint8Array;
  readonly start: number;
  readonly bodyStart: number;
  readonly end: number;
}

/** Size and type of a box whose header is complete; the body may not have arrived yet. */
export interface BoxHeader {
  readonly type: string;
  readonly headerSize: number;
  readonly size: number;
}

/**
 * Reads the header at `offset`, looking no further than `limit`. Returns undefined when fewer header bytes than
 * needed are present (a stream may still bring them); throws Mp4FormatError for sizes no box can have. Size 0
 * ("to the end of the file") is refused: a stream has no end to run to.
 */
export function readBoxHeader(bytes: Uint8Array, offset: number, limit = bytes.length): BoxHeader | undefined {
  limit = Math.min(limit, bytes.length);
  if (limit - offset < 8) return undefined;
  const small = u32At(bytes, offset);
  const type = fourccAt(bytes, offset + 4);
  if (small === 0) throw new Mp4FormatError(`box '${type}' has size 0 (to end of file): not in a stream`, offset);
  if (small !== 1) {
    if (small < 8) throw new Mp4FormatError(`box '${type}' declares size ${small}, smaller than its header`, offset);
    return { type, headerSize: 8, size: small };
  }
  if (limit - offset < 16) return undefined;
  const large = u32At(bytes, offset + 8) * 2 ** 32 + u32At(bytes, offset + 12);
  if (large < 16 || !Number.isSafeInteger(large)) {
    throw new Mp4FormatError(`box '${type}' declares largesize ${large}`, offset);
  }
  return { type, headerSize: 16, size: large };
}

/** The complete box at `offset`, which must end by `limit` (inside a parent, a short child is malformed). */
export function boxAt(bytes: Uint8Array, offset: number, limit = bytes.length): Box {
  limit = Math.min(limit, bytes.length);
  const header = readBoxHeader(bytes, offset, limit);
  if (header === undefined) throw new Mp4FormatError('truncated box header', offset);
  const end = offset + header.size;
  if (end > limit) throw new Mp4FormatError(`box '${header.type}' runs ${end - limit} bytes past its parent`, offset);
  return { type: header.type, bytes, start: offset, bodyStart: offset + header.headerSize, end };
}

/** The boxes laid end to end in [from, parent.end); `from` skips fields that precede them (e.g. in stsd). */
export function childBoxes(parent: Box, from = parent.bodyStart): Box[] {
  const boxes: Box[] = [];
  for (let offset = from; offset < parent.end; ) {
    const box = boxAt(parent.bytes, offset, parent.end);
    boxes.push(box);
    offset = box.end;
  }
  return boxes;
}

export function findChild(parent: Box, type: string, from?: number): Box | undefined {
  return childBoxes(parent, from).find((box) => box.type === type);
}

export function requireChild(parent: Box, type: string, from?: number): Box {
  const child = findChild(parent, type, from);
  if (child === undefined) throw new Mp4FormatError(`'${parent.type}' has no '${type}'`, parent.start);
  return child;
}

/** Sequential big-endian reads in [start, end) that throw Mp4FormatError instead of reading past `end`. */
export class FieldReader {
  private offset: number;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly end: number,
  ) {
    this.offset = start;
  }

  /** A reader over a box's body. */
  static of(box: Box): FieldReader {
    return new FieldReader(box.bytes, box.bodyStart, box.end);
  }

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  u8(): number {
    return this.bytes[this.take(1)] as number;
  }

  u16(): number {
    const at = this.take(2);
    return ((this.bytes[at] as number) << 8) | (this.bytes[at + 1] as number);
  }

  u24(): number {
    const at = this.take(3);
    return ((this.bytes[at] as number) << 16) | ((this.bytes[at + 1] as number) << 8) | (this.bytes[at + 2] as number);
  }

  u32(): number {
    return u32At(this.bytes, this.take(4));
  }

  i32(): number {
    return u32At(this.bytes, this.take(4)) | 0;
  }

  /** A 64-bit field as a number; values past 2^53 are refused rather than rounded. */
  u64(): number {
    const at = this.offset;
    const value = this.u32() * 2 ** 32 + this.u32();
    if (!Number.isSafeInteger(value)) throw new Mp4FormatError(`64-bit value ${value} is too large`, at);
    return value;
  }

  fourcc(): string {
    return fourccAt(this.bytes, this.take(4));
  }

  skip(count: number): void {
    this.take(count);
  }

  /** Version and flags of a full box (ISO 14496-12 4.2). */
  fullBox(): { version: number; flags: number } {
    return { version: this.u8(), flags: this.u24() };
  }

  private take(count: number): number {
    const at = this.offset;
    if (count > this.end - at) throw new Mp4FormatError(`field of ${count} bytes runs past the end of its box`, at);
    this.offset = at + count;
    return at;
  }
}

function u32At(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at] as number) * 0x1000000 +
    (((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number))
  );
}

function fourccAt(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(
    bytes[at] as number,
    bytes[at + 1] as number,
    bytes[at + 2] as number,
    bytes[at + 3] as number,
  );
}
