import { TruncatedError } from '../errors.js';

/**
 * Reads big- and little-endian fields from a byte array. Every method names its width and byte
 * order; reading past the end throws {@link TruncatedError}, never returns garbage.
 */
export class ByteReader {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  /** Offset of the next byte to read. */
  pos: number;

  constructor(bytes: Uint8Array, pos = 0) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = pos;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  private take(n: number): number {
    if (n < 0 || this.pos + n > this.bytes.length) {
      throw new TruncatedError(`need ${n} byte(s) at offset ${this.pos}, have ${this.remaining}`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  skip(n: number): void {
    this.take(n);
  }

  readU8(): number {
    return this.view.getUint8(this.take(1));
  }

  readU16BE(): number {
    return this.view.getUint16(this.take(2), false);
  }

  readU24BE(): number {
    const at = this.take(3);
    return (this.view.getUint8(at) << 16) | this.view.getUint16(at + 1, false);
  }

  /** Signed 24-bit big-endian (FLV CompositionTime). */
  readS24BE(): number {
    const u = this.readU24BE();
    return u & 0x800000 ? u - 0x1000000 : u;
  }

  readU32BE(): number {
    return this.view.getUint32(this.take(4), false);
  }

  readU32LE(): number {
    return this.view.getUint32(this.take(4), true);
  }

  readF64BE(): number {
    return this.view.getFloat64(this.take(8), false);
  }

  readS16BE(): number {
    return this.view.getInt16(this.take(2), false);
  }

  /** A view (not a copy) of the next `n` bytes. */
  readBytes(n: number): Uint8Array {
    const at = this.take(n);
    return this.bytes.subarray(at, at + n);
  }
}
