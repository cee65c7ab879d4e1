/**
 * The `onMetaData` script tag (FLV spec v10.1 §E.4.4.2, §E.5): AMF0 values describing the
 * stream. A file holds `['onMetaData', ecmaArray]`; a publisher sends the same over RTMP wrapped
 * as `['@setDataFrame', 'onMetaData', ecmaArray]` so the server stores it and hands it to every
 * player as the plain form.
 */
import { Amf0EcmaArray, type Amf0Object, type Amf0Value, decodeAmf0, encodeAmf0 } from '../amf0.js';
import { FormatError } from '../errors.js';

/** The well-known onMetaData properties (§E.5); any other AMF0 property may appear too. */
export interface FlvMetadata {
  /** Total length in seconds (0 for live). */
  duration?: number;
  width?: number;
  height?: number;
  /** Video data rate in kbit/s. */
  videodatarate?: number;
  /** Frames per second. */
  framerate?: number;
  /** Video CodecID (7 = AVC). */
  videocodecid?: number;
  /** Audio data rate in kbit/s. */
  audiodatarate?: number;
  /** Sample rate in Hz. */
  audiosamplerate?: number;
  /** Bits per sample. */
  audiosamplesize?: number;
  stereo?: boolean;
  /** Audio SoundFormat (10 = AAC). */
  audiocodecid?: number;
  /** File size in bytes. */
  filesize?: number;
  encoder?: string;
  [property: string]: Amf0Value;
}

/** The script-data name of the metadata object. */
export const ON_METADATA = 'onMetaData';
/** The RTMP data-message command that asks the server to store a data frame (here onMetaData). */
export const SET_DATA_FRAME = '@setDataFrame';

/** Script tag body for a file: `'onMetaData'`, ECMA array. */
export function buildOnMetaData(metadata: FlvMetadata): Uint8Array {
  return encodeAmf0(ON_METADATA, new Amf0EcmaArray(withoutUndefined(metadata)));
}

/** RTMP data message body for a publisher: `'@setDataFrame'`, `'onMetaData'`, ECMA array. */
export function buildSetDataFrameOnMetaData(metadata: FlvMetadata): Uint8Array {
  return encodeAmf0(SET_DATA_FRAME, ON_METADATA, new Amf0EcmaArray(withoutUndefined(metadata)));
}

/**
 * Reads the metadata from a script tag or RTMP data message body, either form
 * (`onMetaData` with or without the `@setDataFrame` prefix); the properties may come as an ECMA
 * array or an AMF0 object. Throws {@link FormatError} if the body is not onMetaData.
 */
export function parseOnMetaData(body: Uint8Array): FlvMetadata {
  const values = decodeAmf0(body);
  let i = 0;
  if (values[i] === SET_DATA_FRAME) i++;
  if (values[i] !== ON_METADATA) {
    throw new FormatError(`script data is ${describe(values[i])}, not ${ON_METADATA}`);
  }
  const props = values[i + 1];
  if (props instanceof Amf0EcmaArray) return props.entries as FlvMetadata;
  if (isPlainObject(props)) return props as FlvMetadata;
  throw new FormatError(`${ON_METADATA} carries ${describe(props)}, not an ECMA array or object`);
}

const SET_DATA_FRAME_BYTES = encodeAmf0(SET_DATA_FRAME);
const ON_METADATA_BYTES = encodeAmf0(ON_METADATA);

/**
 * The file form of onMetaData as a publisher sends it: `@setDataFrame` prefixed. Any other script
 * body passes through. Compares bytes rather than decoding: it runs on every script tag pushed.
 */
export function withSetDataFrame(body: Uint8Array): Uint8Array {
  const n = ON_METADATA_BYTES.length;
  if (body.length <= n || ON_METADATA_BYTES.some((b, i) => body[i] !== b)) return body;
  const out = new Uint8Array(SET_DATA_FRAME_BYTES.length + body.length);
  out.set(SET_DATA_FRAME_BYTES);
  out.set(body, SET_DATA_FRAME_BYTES.length);
  return out;
}

/** Converts an RTMP `@setDataFrame` body to the file form; a body without the prefix passes through. */
export function stripSetDataFrame(body: Uint8Array): Uint8Array {
  const values = decodeAmf0(body);
  if (values[0] !== SET_DATA_FRAME) return body;
  return encodeAmf0(...values.slice(1));
}

function withoutUndefined(metadata: FlvMetadata): Amf0Object {
  const out: Amf0Object = {};
  for (const [key, value] of Object.entries(metadata)) {
    // defineProperty, not assignment: a property named __proto__ must stay data.
    if (value !== undefined) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function isPlainObject(value: Amf0Value | undefined): value is Amf0Object {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof Amf0EcmaArray);
}

function describe(value: Amf0Value | undefined): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value;
}
