/**
 * Splits messages into chunks (RTMP spec §5.3). Each chunk stream remembers the previous message
 * header so that the next one is written with the smallest header type that describes it:
 *
 *   basic header   fmt(2) csid(6) [csid-64: 8 | 16 LE]               1–3 bytes
 *   type 0  (11)   timestamp(24) length(24) type id(8) stream id(32 LE)
 *   type 1  (7)    timestamp delta(24) length(24) type id(8)
 *   type 2  (3)    timestamp delta(24)
 *   type 3  (0)    nothing: same as the previous chunk of this chunk stream
 *   [extended timestamp(32)] when the 24-bit field holds 0xFFFFFF, repeated in type-3 chunks
 */
import type { OutgoingMessage } from './message.js';

const EXTENDED = 0xffffff;
/** Message header size by header type (§5.3.1.2). */
const MESSAGE_HEADER_SIZE = [11, 7, 3, 0] as const;

interface ChunkStreamState {
  timestamp: number;
  /** The delta the last header described, or -1 after a type 0 (then no type 3 reuse). */
  delta: number;
  length: number;
  typeId: number;
  streamId: number;
}

export interface ChunkWriterOptions {
  /**
   * Encode every message into the same, grown-as-needed array and return a view of it, valid
   * until the next `write` (default false: a new array each time). For a caller whose transport
   * copies what it is given: a new array per message is new memory per message, whose page
   * faults and zeroing cost a fast push more CPU than the copy.
   */
  reuseOutput?: boolean;
}

export class ChunkWriter {
  private chunkSize = 128;
  private readonly streams = new Map<number, ChunkStreamState>();
  private readonly reuseOutput: boolean;
  private output = new Uint8Array(0);

  constructor(options: ChunkWriterOptions = {}) {
    this.reuseOutput = options.reuseOutput ?? false;
  }

  /** Chunk size for messages written from now on; send Set Chunk Size before the next one. */
  setChunkSize(size: number): void {
    if (!Number.isInteger(size) || size < 1 || size > 0x7fffffff) throw new RangeError(`invalid chunk size ${size}`);
    this.chunkSize = size;
  }

  /** Forgets the header state, as a new connection must. */
  reset(): void {
    this.streams.clear();
  }

  /** Encodes one message as its chunks. */
  write(msg: OutgoingMessage): Uint8Array {
    const { csid, typeId, streamId, payload } = msg;
    if (!Number.isInteger(csid) || csid < 2 || csid > 65599) throw new RangeError(`invalid chunk stream id ${csid}`);
    if (payload.length > 0xffffff) throw new RangeError(`message of ${payload.length} bytes exceeds 16 MiB`);
    if (!Number.isInteger(typeId) || typeId < 0 || typeId > 0xff) throw new RangeError(`invalid message type id ${typeId}`);
    if (!Number.isInteger(streamId) || streamId < 0 || streamId > 0xffffffff) throw new RangeError(`invalid message stream id ${streamId}`);
    if (!Number.isInteger(msg.timestamp)) throw new RangeError(`message timestamp ${msg.timestamp} is not an integer`);
    // Modulo 2^32 (the field wraps), with an integer operation: a float here made TurboFan
    // recompile this function, the hottest of a push, mid-run.
    const timestamp = msg.timestamp >>> 0;
    const prev = this.streams.get(csid);

    let fmt: 0 | 1 | 2 | 3;
    let field: number; // the value the 24-bit timestamp field stands for
    let delta: number;
    if (!prev || prev.streamId !== streamId || timestamp < prev.timestamp) {
      fmt = 0;
      field = timestamp;
      delta = -1;
    } else {
      delta = timestamp - prev.timestamp;
      field = delta;
      if (prev.length !== payload.length || prev.typeId !== typeId) fmt = 1;
      else if (prev.delta !== delta) fmt = 2;
      else fmt = 3;
    }
    if (prev) {
      prev.timestamp = timestamp;
      prev.delta = delta;
      prev.length = payload.length;
      prev.typeId = typeId;
      prev.streamId = streamId;
    } else {
      this.streams.set(csid, { timestamp, delta, length: payload.length, typeId, streamId });
    }

    const extended = field >= EXTENDED;
    const chunkSize = this.chunkSize;
    const chunks = Math.max(1, Math.ceil(payload.length / chunkSize));
    const basic = csid < 64 ? 1 : csid < 320 ? 2 : 3;
    const laterHeader = basic + (extended ? 4 : 0);
    // Plain byte stores into one exactly sized array: this runs for every audio and video
    // message, and a ByteWriter (a DataView, range checks, a call per field) was a visible part of
    // bench/rtmp's CPU. The fields are in range by construction (checked or masked above).
    const out = this.outputOf(basic + MESSAGE_HEADER_SIZE[fmt] + (extended ? 4 : 0) + (chunks - 1) * laterHeader + payload.length);
    let at = writeBasicHeader(out, 0, fmt, csid);
    if (fmt <= 2) at = putU24BE(out, at, extended ? EXTENDED : field); // timestamp / timestamp delta
    if (fmt <= 1) {
      at = putU24BE(out, at, payload.length); // message length
      out[at++] = typeId; // message type id
    }
    if (fmt === 0) {
      // message stream id: little-endian (§5.3.1.2.1)
      out[at++] = streamId & 0xff;
      out[at++] = (streamId >>> 8) & 0xff;
      out[at++] = (streamId >>> 16) & 0xff;
      out[at++] = streamId >>> 24;
    }
    if (extended) at = putU32BE(out, at, field); // extended timestamp
    for (let offset = 0; ; ) {
      const end = Math.min(offset + chunkSize, payload.length);
      out.set(offset === 0 && end === payload.length ? payload : payload.subarray(offset, end), at);
      at += end - offset;
      offset = end;
      if (offset >= payload.length) break;
      at = writeBasicHeader(out, at, 3, csid);
      if (extended) at = putU32BE(out, at, field); // extended timestamp, repeated in type 3 (§5.3.1.3)
    }
    return out;
  }

  /** Where a message of `size` bytes is encoded: see {@link ChunkWriterOptions.reuseOutput}. */
  private outputOf(size: number): Uint8Array {
    if (!this.reuseOutput) return new Uint8Array(size);
    if (this.output.length < size) this.output = new Uint8Array(Math.max(size, this.output.length * 2, 4096));
    return this.output.subarray(0, size);
  }
}

/** Writes the 1–3-byte basic header at `at`; returns where it ends. */
function writeBasicHeader(out: Uint8Array, at: number, fmt: number, csid: number): number {
  if (csid < 64) {
    out[at] = (fmt << 6) | csid;
    return at + 1;
  }
  if (csid < 320) {
    out[at] = fmt << 6;
    out[at + 1] = csid - 64;
    return at + 2;
  }
  const id = csid - 64;
  out[at] = (fmt << 6) | 1;
  out[at + 1] = id & 0xff; // 16-bit id, low byte first
  out[at + 2] = id >>> 8;
  return at + 3;
}

function putU24BE(out: Uint8Array, at: number, value: number): number {
  out[at] = value >>> 16;
  out[at + 1] = (value >>> 8) & 0xff;
  out[at + 2] = value & 0xff;
  return at + 3;
}

function putU32BE(out: Uint8Array, at: number, value: number): number {
  out[at] = value >>> 24;
  out[at + 1] = (value >>> 16) & 0xff;
  out[at + 2] = (value >>> 8) & 0xff;
  out[at + 3] = value & 0xff;
  return at + 4;
}
