/**
 * AMF0 (Action Message Format 0), the encoding of RTMP commands and FLV script data
 * (Adobe "Action Message Format -- AMF 0", §2). Values map onto JavaScript like this:
 *
 *   number ↔ Number (0x00)        boolean ↔ Boolean (0x01)     string ↔ String (0x02) or
 *   plain object ↔ Object (0x03)  null ↔ Null (0x05)           Long String (0x0C) past 65535 bytes
 *   undefined ↔ Undefined (0x06)  Amf0EcmaArray ↔ ECMA Array (0x08)
 *   array ↔ Strict Array (0x0A)   Date ↔ Date (0x0B)           Object End (0x09) closes objects
 */
import { ByteReader } from './bytes/byte-reader.js';
import { ByteWriter } from './bytes/byte-writer.js';
import { FormatError } from './errors.js';

const Marker = {
  Number: 0x00,
  Boolean: 0x01,
  String: 0x02,
  Object: 0x03,
  MovieClip: 0x04,
  Null: 0x05,
  Undefined: 0x06,
  Reference: 0x07,
  EcmaArray: 0x08,
  ObjectEnd: 0x09,
  StrictArray: 0x0a,
  Date: 0x0b,
  LongString: 0x0c,
  Unsupported: 0x0d,
  XmlDocument: 0x0f,
  TypedObject: 0x10,
} as const;

/** Nesting deeper than this is refused, so hostile input cannot exhaust the stack. */
const MAX_DEPTH = 64;

export type Amf0Value =
  | number
  | boolean
  | string
  | null
  | undefined
  | Date
  | Amf0Value[]
  | Amf0EcmaArray
  | Amf0Object;

export interface Amf0Object {
  [key: string]: Amf0Value;
}

/**
 * An associative array with ECMA Array framing (0x08), which `onMetaData` uses. A plain object
 * encodes as an AMF0 Object (0x03) instead; servers accept both, encoders usually send this one.
 */
export class Amf0EcmaArray {
  constructor(readonly entries: Amf0Object = {}) {}
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function writeUtf8(w: ByteWriter, s: string): void {
  const bytes = utf8Encoder.encode(s);
  if (bytes.length > 0xffff) throw new RangeError(`AMF0 key of ${bytes.length} bytes exceeds 65535`);
  w.writeU16BE(bytes.length).writeBytes(bytes);
}

function writeProperties(w: ByteWriter, entries: Amf0Object, depth: number): void {
  for (const [key, value] of Object.entries(entries)) {
    writeUtf8(w, key);
    writeValue(w, value, depth + 1);
  }
  w.writeU16BE(0).writeU8(Marker.ObjectEnd);
}

function writeValue(w: ByteWriter, value: Amf0Value, depth: number): void {
  if (depth > MAX_DEPTH) throw new RangeError('AMF0 value nested too deeply (cyclic?)');
  if (value === null) {
    w.writeU8(Marker.Null);
  } else if (value === undefined) {
    w.writeU8(Marker.Undefined);
  } else if (typeof value === 'number') {
    w.writeU8(Marker.Number).writeF64BE(value);
  } else if (typeof value === 'boolean') {
    w.writeU8(Marker.Boolean).writeU8(value ? 1 : 0);
  } else if (typeof value === 'string') {
    const bytes = utf8Encoder.encode(value);
    if (bytes.length > 0xffff) w.writeU8(Marker.LongString).writeU32BE(bytes.length);
    else w.writeU8(Marker.String).writeU16BE(bytes.length);
    w.writeBytes(bytes);
  } else if (value instanceof Date) {
    // Milliseconds since the epoch, then a time zone the spec says to write as 0 and ignore.
    w.writeU8(Marker.Date).writeF64BE(value.getTime()).writeS16BE(0);
  } else if (Array.isArray(value)) {
    w.writeU8(Marker.StrictArray).writeU32BE(value.length);
    for (const item of value) writeValue(w, item, depth + 1);
  } else if (value instanceof Amf0EcmaArray) {
    w.writeU8(Marker.EcmaArray).writeU32BE(Object.keys(value.entries).length); // associative-count
    writeProperties(w, value.entries, depth);
  } else if (typeof value === 'object') {
    w.writeU8(Marker.Object);
    writeProperties(w, value, depth);
  } else {
    throw new TypeError(`cannot encode ${typeof value} as AMF0`);
  }
}

/** Encodes values one after another, as an RTMP command message or a script tag body holds them. */
export function encodeAmf0(...values: Amf0Value[]): Uint8Array {
  const w = new ByteWriter(128);
  for (const value of values) writeValue(w, value, 0);
  return w.toBytes();
}

function readUtf8(r: ByteReader, length: number): string {
  try {
    return utf8Decoder.decode(r.readBytes(length));
  } catch (e) {
    if (e instanceof FormatError) throw e;
    throw new FormatError(`AMF0 string at offset ${r.pos - length} is not valid UTF-8`);
  }
}

function readProperties(r: ByteReader, depth: number): Amf0Object {
  const out: Amf0Object = {};
  for (;;) {
    const key = readUtf8(r, r.readU16BE());
    if (key === '' && r.remaining > 0 && r.bytes[r.pos] === Marker.ObjectEnd) {
      r.skip(1);
      return out;
    }
    // Some encoders end an ECMA array at the end of the data without an end marker.
    if (key === '' && r.remaining === 0) return out;
    Object.defineProperty(out, key, { value: readValue(r, depth + 1), enumerable: true, writable: true, configurable: true });
  }
}

function readValue(r: ByteReader, depth: number): Amf0Value {
  if (depth > MAX_DEPTH) throw new FormatError('AMF0 data nested too deeply');
  const marker = r.readU8();
  switch (marker) {
    case Marker.Number:
      return r.readF64BE();
    case Marker.Boolean:
      return r.readU8() !== 0;
    case Marker.String:
      return readUtf8(r, r.readU16BE());
    case Marker.LongString:
      return readUtf8(r, r.readU32BE());
    case Marker.Object:
      return readProperties(r, depth);
    case Marker.Null:
      return null;
    case Marker.Undefined:
      return undefined;
    case Marker.EcmaArray:
      r.skip(4); // associative-count: a hint only; the end marker terminates
      return new Amf0EcmaArray(readProperties(r, depth));
    case Marker.StrictArray: {
      const count = r.readU32BE();
      // Each element takes at least one byte: a count beyond the data is malformed, not a reason
      // to allocate gigabytes.
      if (count > r.remaining) throw new FormatError(`AMF0 strict array of ${count} items exceeds the data`);
      const items: Amf0Value[] = [];
      for (let i = 0; i < count; i++) items.push(readValue(r, depth + 1));
      return items;
    }
    case Marker.Date: {
      const ms = r.readF64BE();
      r.skip(2); // time-zone, reserved
      return new Date(ms);
    }
    case Marker.TypedObject:
      readUtf8(r, r.readU16BE()); // class-name: we keep only the properties
      return readProperties(r, depth);
    default:
      throw new FormatError(`unsupported AMF0 marker 0x${marker.toString(16)} at offset ${r.pos - 1}`);
  }
}

/** Decodes every value in `bytes`. Malformed or truncated input throws {@link FormatError}. */
export function decodeAmf0(bytes: Uint8Array): Amf0Value[] {
  const r = new ByteReader(bytes);
  const values: Amf0Value[] = [];
  while (r.remaining > 0) values.push(readValue(r, 0));
  return values;
}
