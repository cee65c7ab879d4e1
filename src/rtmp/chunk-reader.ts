/**
 * Reassembles messages from chunks (RTMP spec §5.3), fed in pieces of any size. Header layout:
 * see chunk-writer.ts. Applies Set Chunk Size and Abort itself, as they change how the very next
 * bytes are read, and still reports them. Bounded memory: a message longer than `maxMessageSize`
 * or a chunk size beyond it is a FormatError, and header bytes split across pieces are the only
 * bytes it keeps besides messages being assembled.
 */
import { ByteReader } from '../media/bytes/byte-reader.js';
import { FormatError, TruncatedError } from '../media/errors.js';
import { MessageType, type RtmpMessage } from './message.js';

const EXTENDED = 0xffffff;
const U32 = 2 ** 32;

interface InboundStream {
  timestamp: number;
  /** Timestamp field of the last header: what a type-3 message start adds (as ffmpeg reads it). */
  delta: number;
  length: number;
  typeId: number;
  streamId: number;
  extended: boolean;
  payload: Uint8Array | undefined;
  received: number;
}

export interface ChunkReaderOptions {
  /** Largest message accepted; default 16 MiB − 1, the most a 24-bit length can say. */
  maxMessageSize?: number;
  /** Most chunk streams tracked at once (each holds state); default 64. */
  maxChunkStreams?: number;
}

export class ChunkReader {
  chunkSize = 128;
  private readonly maxMessageSize: number;
  private readonly maxChunkStreams: number;
  private readonly streams = new Map<number, InboundStream>();
  private stash: Uint8Array = new Uint8Array(0);
  /** The chunk stream whose chunk body is being read, and how many body bytes remain. */
  private current: InboundStream | undefined;
  private bodyLeft = 0;

  constructor(
    private readonly onMessage: (msg: RtmpMessage) => void,
    options: ChunkReaderOptions = {},
  ) {
    this.maxMessageSize = options.maxMessageSize ?? 0xffffff;
    this.maxChunkStreams = options.maxChunkStreams ?? 64;
  }

  /** Feeds bytes; calls `onMessage` for each message completed. Throws FormatError on bad input. */
  push(bytes: Uint8Array): void {
    let data = bytes;
    if (this.stash.length > 0) {
      data = new Uint8Array(this.stash.length + bytes.length);
      data.set(this.stash);
      data.set(bytes, this.stash.length);
      this.stash = new Uint8Array(0);
    }
    let pos = 0;
    while (pos < data.length) {
      if (this.current) {
        pos = this.readBody(data, pos);
        continue;
      }
      const used = this.readHeader(data, pos);
      if (used === 0) {
        this.stash = data.slice(pos);
        return;
      }
      pos += used;
    }
  }

  /** Parses one chunk header at `pos`; returns the bytes it took, or 0 if more are needed. */
  private readHeader(data: Uint8Array, pos: number): number {
    const r = new ByteReader(data, pos);
    try {
      const first = r.readU8();
      const fmt = first >>> 6;
      let csid = first & 0x3f;
      if (csid === 0) csid = 64 + r.readU8();
      else if (csid === 1) csid = 64 + r.readU8() + r.readU8() * 256;

      let s = this.streams.get(csid);
      if (!s) {
        if (fmt !== 0) throw new FormatError(`chunk stream ${csid} starts with a type ${fmt} header, not type 0`);
        if (this.streams.size >= this.maxChunkStreams) throw new FormatError(`more than ${this.maxChunkStreams} chunk streams`);
      }
      let field = 0;
      let length = s?.length ?? 0;
      let typeId = s?.typeId ?? 0;
      let streamId = s?.streamId ?? 0;
      if (fmt <= 2) field = r.readU24BE();
      if (fmt <= 1) {
        length = r.readU24BE();
        typeId = r.readU8();
      }
      if (fmt === 0) streamId = r.readU32LE();
      const extended = fmt <= 2 ? field === EXTENDED : s!.extended;
      if (extended) {
        const ext = r.readU32BE();
        if (fmt <= 2) field = ext;
        else if (s!.payload === undefined) field = ext; // a type-3 message start restates the delta
      } else if (fmt === 3) {
        field = s!.delta;
      }

      if (!s) {
        s = { timestamp: 0, delta: 0, length, typeId, streamId, extended, payload: undefined, received: 0 };
        this.streams.set(csid, s);
      }
      const startsMessage = s.payload === undefined;
      if (!startsMessage && fmt !== 3) {
        throw new FormatError(`chunk stream ${csid}: type ${fmt} header in the middle of a message`);
      }
      if (startsMessage) {
        if (length > this.maxMessageSize) throw new FormatError(`message of ${length} bytes exceeds the ${this.maxMessageSize} limit`);
        s.timestamp = fmt === 0 ? field : (s.timestamp + field) % U32;
        if (fmt <= 2) s.delta = field;
        s.length = length;
        s.typeId = typeId;
        s.streamId = streamId;
        s.extended = extended;
        s.payload = new Uint8Array(length);
        s.received = 0;
      }
      this.current = s;
      this.bodyLeft = Math.min(this.chunkSize, s.length - s.received);
      const used = r.pos - pos;
      if (this.bodyLeft === 0) this.finishChunk(); // zero-length message
      return used;
    } catch (e) {
      if (e instanceof TruncatedError) return 0; // the header continues in the next piece
      throw e;
    }
  }

  private readBody(data: Uint8Array, pos: number): number {
    const s = this.current!;
    const n = Math.min(this.bodyLeft, data.length - pos);
    s.payload!.set(data.subarray(pos, pos + n), s.received);
    s.received += n;
    this.bodyLeft -= n;
    if (this.bodyLeft === 0) this.finishChunk();
    return pos + n;
  }

  private finishChunk(): void {
    const s = this.current!;
    this.current = undefined;
    if (s.received < s.length) return;
    const msg: RtmpMessage = { typeId: s.typeId, streamId: s.streamId, timestamp: s.timestamp, payload: s.payload! };
    s.payload = undefined;
    if (msg.typeId === MessageType.SetChunkSize) this.applyChunkSize(msg.payload);
    else if (msg.typeId === MessageType.Abort) this.applyAbort(msg.payload);
    this.onMessage(msg);
  }

  private applyChunkSize(payload: Uint8Array): void {
    const size = new ByteReader(payload).readU32BE() & 0x7fffffff;
    if (size < 1 || size > this.maxMessageSize) throw new FormatError(`peer set an invalid chunk size ${size}`);
    this.chunkSize = size;
  }

  private applyAbort(payload: Uint8Array): void {
    const s = this.streams.get(new ByteReader(payload).readU32BE());
    if (s) s.payload = undefined;
  }
}
