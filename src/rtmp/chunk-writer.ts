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
import { ByteWriter } from '../media/bytes/byte-writer.js';
import type { OutgoingMessage } from './message.js';

const EXTENDED = 0xffffff;
const U32 = 2 ** 32;
/** Message header size by header type (§5.3.1.2). */
const MESSAGE_HEADER_SIZE = [11, 7, 3, 0] as const;

interface ChunkStreamState {
  timestamp: number;
  /** The delta the last header described, or undefined after a type 0 (then no type 3 reuse). */
  delta: number | undefined;
  length: number;
  typeId: number;
  streamId: number;
}

export class ChunkWriter {
  private chunkSize = 128;
  private readonly streams = new Map<number, ChunkStreamState>();

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
    const timestamp = ((msg.timestamp % U32) + U32) % U32;
    const prev = this.streams.get(csid);

    let fmt: 0 | 1 | 2 | 3;
    let field: number; // the value the 24-bit timestamp field stands for
    let delta: number | undefined;
    if (!prev || prev.streamId !== streamId || timestamp < prev.timestamp) {
      fmt = 0;
      field = timestamp;
      delta = undefined;
    } else {
      delta = timestamp - prev.timestamp;
      field = delta;
      if (prev.length !== payload.length || prev.typeId !== typeId) fmt = 1;
      else if (prev.delta !== delta) fmt = 2;
      else fmt = 3;
    }
    this.streams.set(csid, { timestamp, delta, length: payload.length, typeId, streamId });

    const extended = field >= EXTENDED;
    const chunks = Math.max(1, Math.ceil(payload.length / this.chunkSize));
    const basic = csid < 64 ? 1 : csid < 320 ? 2 : 3;
    const firstHeader = basic + MESSAGE_HEADER_SIZE[fmt] + (extended ? 4 : 0);
    const laterHeader = basic + (extended ? 4 : 0);
    const w = new ByteWriter(firstHeader + (chunks - 1) * laterHeader + payload.length);
    writeBasicHeader(w, fmt, csid);
    if (fmt <= 2) w.writeU24BE(extended ? EXTENDED : field); // timestamp / timestamp delta
    if (fmt <= 1) {
      w.writeU24BE(payload.length); // message length
      w.writeU8(typeId); // message type id
    }
    if (fmt === 0) w.writeU32LE(streamId); // message stream id: little-endian (§5.3.1.2.1)
    if (extended) w.writeU32BE(field); // extended timestamp
    for (let offset = 0; ; ) {
      const end = Math.min(offset + this.chunkSize, payload.length);
      w.writeBytes(payload.subarray(offset, end));
      offset = end;
      if (offset >= payload.length) break;
      writeBasicHeader(w, 3, csid);
      if (extended) w.writeU32BE(field); // extended timestamp, repeated in type 3 (§5.3.1.3)
    }
    return w.finish(); // sized exactly above: no copy
  }
}

function writeBasicHeader(w: ByteWriter, fmt: number, csid: number): void {
  if (csid < 64) {
    w.writeU8((fmt << 6) | csid);
  } else if (csid < 320) {
    w.writeU8(fmt << 6).writeU8(csid - 64);
  } else {
    const id = csid - 64;
    w.writeU8((fmt << 6) | 1).writeU8(id & 0xff).writeU8(id >>> 8); // 16-bit id, low byte first
  }
}
