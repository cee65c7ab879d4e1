/**
 * Appends big- and little-endian fields to a growing byte array. Every method names its width and
 * byte order. Values out of range for the field throw a RangeError rather than wrap silently.
 */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.len;
  }

  /** Grows the buffer for `n` more bytes and returns where they go. Call it before touching
   * `buf`/`view`: it may replace them. */
  private reserve(n: number): number {
    const need = this.len + n;
    if (need > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    const at = this.len;
    this.len = need;
    return at;
  }

  private static check(value: number, bits: number, name: string): void {
    if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) {
      throw new RangeError(`${name}: ${value} does not fit in ${bits} unsigned bits`);
    }
  }

  writeU8(value: number): this {
    ByteWriter.check(value, 8, 'writeU8');
    const at = this.reserve(1);
    this.view.setUint8(at, value);
    return this;
  }

  writeU16BE(value: number): this {
    ByteWriter.check(value, 16, 'writeU16BE');
    const at = this.reserve(2);
    this.view.setUint16(at, value, false);
    return this;
  }

  writeU24BE(value: number): this {
    ByteWriter.check(value, 24, 'writeU24BE');
    const at = this.reserve(3);
    this.view.setUint8(at, value >>> 16);
    this.view.setUint16(at + 1, value & 0xffff, false);
    return this;
  }

  /** Signed 24-bit big-endian, two's complement (FLV CompositionTime). */
  writeS24BE(value: number): this {
    if (!Number.isInteger(value) || value < -0x800000 || value > 0x7fffff) {
      throw new RangeError(`writeS24BE: ${value} does not fit in 24 signed bits`);
    }
    return this.writeU24BE(value < 0 ? value + 0x1000000 : value);
  }

  writeU32BE(value: number): this {
    ByteWriter.check(value, 32, 'writeU32BE');
    const at = this.reserve(4);
    this.view.setUint32(at, value, false);
    return this;
  }

  writeU32LE(value: number): this {
    ByteWriter.check(value, 32, 'writeU32LE');
    const at = this.reserve(4);
    this.view.setUint32(at, value, true);
    return this;
  }

  writeS16BE(value: number): this {
    if (!Number.isInteger(value) || value < -0x8000 || value > 0x7fff) {
      throw new RangeError(`writeS16BE: ${value} does not fit in 16 signed bits`);
    }
    const at = this.reserve(2);
    this.view.setInt16(at, value, false);
    return this;
  }

  writeF64BE(value: number): this {
    const at = this.reserve(8);
    this.view.setFloat64(at, value, false);
    return this;
  }

  writeBytes(bytes: Uint8Array): this {
    const at = this.reserve(bytes.length);
    this.buf.set(bytes, at);
    return this;
  }

  /** Overwrites a 24-bit big-endian field already written (sizes known only at the end). */
  patchU24BE(offset: number, value: number): void {
    ByteWriter.check(value, 24, 'patchU24BE');
    if (offset < 0 || offset + 3 > this.len) throw new RangeError(`patchU24BE: offset ${offset} out of range`);
    this.view.setUint8(offset, value >>> 16);
    this.view.setUint16(offset + 1, value & 0xffff, false);
  }

  /** Overwrites a 32-bit big-endian field already written. */
  patchU32BE(offset: number, value: number): void {
    ByteWriter.check(value, 32, 'patchU32BE');
    if (offset < 0 || offset + 4 > this.len) throw new RangeError(`patchU32BE: offset ${offset} out of range`);
    this.view.setUint32(offset, value, false);
  }

  /**
   * The bytes written so far without a copy: for a writer that is done (later writes may or may
   * not show through). Size the writer exactly to avoid holding a larger buffer.
   */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  /** A copy of the bytes written so far. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
