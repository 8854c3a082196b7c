// The AMF0 a publisher speaks (commands out, answers in), bounded for answers from servers we do not control. Not
// node-media-server's codec: its decoder throws on truncated input and its encoder miscounts non-ASCII strings.

export type Amf0Value = number | boolean | string | null | undefined | Amf0Object | Amf0Value[];
export interface Amf0Object {
  [key: string]: Amf0Value;
}

const NUMBER = 0x00;
const BOOLEAN = 0x01;
const STRING = 0x02;
const OBJECT = 0x03;
const NULL = 0x05;
const UNDEFINED = 0x06;
const ECMA_ARRAY = 0x08;
const OBJECT_END = 0x09;
const STRICT_ARRAY = 0x0a;
const DATE = 0x0b;
const LONG_STRING = 0x0c;

/** Nesting a server may send; answers to a publisher are two levels deep. */
const MAX_DEPTH = 16;

export function encodeAmf0(...values: Amf0Value[]): Buffer {
  const parts: Buffer[] = [];
  for (const value of values) encodeValue(value, parts);
  return Buffer.concat(parts);
}

function encodeValue(value: Amf0Value, parts: Buffer[]): void {
  if (value === null) parts.push(Buffer.from([NULL]));
  else if (value === undefined) parts.push(Buffer.from([UNDEFINED]));
  else if (typeof value === 'number') {
    const out = Buffer.alloc(9);
    out[0] = NUMBER;
    out.writeDoubleBE(value, 1);
    parts.push(out);
  } else if (typeof value === 'boolean') parts.push(Buffer.from([BOOLEAN, value ? 1 : 0]));
  else if (typeof value === 'string') {
    const text = Buffer.from(value, 'utf8');
    if (text.length > 0xffff) {
      const head = Buffer.alloc(5);
      head[0] = LONG_STRING;
      head.writeUInt32BE(text.length, 1);
      parts.push(head, text);
    } else parts.push(Buffer.from([STRING]), shortLength(text), text);
  } else if (Array.isArray(value)) {
    const head = Buffer.alloc(5);
    head[0] = STRICT_ARRAY;
    head.writeUInt32BE(value.length, 1);
    parts.push(head);
    for (const item of value) encodeValue(item, parts);
  } else {
    parts.push(Buffer.from([OBJECT]));
    for (const [name, inner] of Object.entries(value)) {
      // Property names are ours and short; one past the 16-bit limit is cut rather than written corrupt.
      const text = Buffer.from(name, 'utf8').subarray(0, 0xffff);
      parts.push(shortLength(text), text);
      encodeValue(inner, parts);
    }
    parts.push(Buffer.from([0x00, 0x00, OBJECT_END]));
  }
}

function shortLength(text: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(text.length);
  return length;
}

class Truncated extends Error {}

/**
 * Values from the start of `bytes`, up to `maxValues`: stops quietly at the end, at a truncated value or at a type it
 * does not read (AMF3, references), so a command's name and first arguments survive a server's odd extras.
 */
export function decodeAmf0(bytes: Buffer, maxValues = Infinity): Amf0Value[] {
  const values: Amf0Value[] = [];
  const reader = { bytes, offset: 0 };
  while (reader.offset < bytes.length && values.length < maxValues) {
    try {
      values.push(decodeValue(reader, 0));
    } catch (err) {
      if (err instanceof Truncated) break;
      throw err;
    }
  }
  return values;
}

interface Reader {
  bytes: Buffer;
  offset: number;
}

function need(reader: Reader, count: number): void {
  if (reader.offset + count > reader.bytes.length) throw new Truncated();
}

function decodeValue(reader: Reader, depth: number): Amf0Value {
  if (depth > MAX_DEPTH) throw new Truncated();
  need(reader, 1);
  const type = reader.bytes[reader.offset++]!;
  switch (type) {
    case NUMBER:
    case DATE: {
      need(reader, type === DATE ? 10 : 8);
      const value = reader.bytes.readDoubleBE(reader.offset);
      reader.offset += type === DATE ? 10 : 8;
      return value;
    }
    case BOOLEAN:
      need(reader, 1);
      return reader.bytes[reader.offset++] !== 0;
    case STRING:
      return readString(reader, 2);
    case LONG_STRING:
      return readString(reader, 4);
    case NULL:
      return null;
    case UNDEFINED:
      return undefined;
    case ECMA_ARRAY:
      need(reader, 4);
      reader.offset += 4; // the count is advisory: the properties end with an object end marker, as an object's do
      return readProperties(reader, depth);
    case OBJECT:
      return readProperties(reader, depth);
    case STRICT_ARRAY: {
      need(reader, 4);
      const count = reader.bytes.readUInt32BE(reader.offset);
      reader.offset += 4;
      // Each item takes at least a byte: a count beyond what is left is a lie, not an allocation.
      need(reader, count);
      const items: Amf0Value[] = [];
      for (let i = 0; i < count; i++) items.push(decodeValue(reader, depth + 1));
      return items;
    }
    default:
      throw new Truncated();
  }
}

function readString(reader: Reader, lengthBytes: 2 | 4): string {
  need(reader, lengthBytes);
  const length = lengthBytes === 2 ? reader.bytes.readUInt16BE(reader.offset) : reader.bytes.readUInt32BE(reader.offset);
  reader.offset += lengthBytes;
  need(reader, length);
  const text = reader.bytes.toString('utf8', reader.offset, reader.offset + length);
  reader.offset += length;
  return text;
}

function readProperties(reader: Reader, depth: number): Amf0Object {
  // No prototype: a server's "__proto__" property is data, not an assignment to Object.prototype.
  const object = Object.create(null) as Amf0Object;
  for (;;) {
    const name = readString(reader, 2);
    need(reader, 1);
    if (name === '' && reader.bytes[reader.offset] === OBJECT_END) {
      reader.offset++;
      return object;
    }
    object[name] = decodeValue(reader, depth + 1);
  }
}
