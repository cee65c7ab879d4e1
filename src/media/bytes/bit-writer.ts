/**
 * Writes MSB-first bit fields into a growing buffer, for codec headers and the AAC bitstream.
 * Includes Exp-Golomb codes (H.264 §9.1).
 */
export class BitWriter {
  private buf: Uint8Array;
  private bitLen = 0;

  constructor(initialBytes = 64) {
    this.buf = new Uint8Array(Math.max(8, initialBytes));
  }

  /** Number of bits written so far. */
  get bitLength(): number {
    return this.bitLen;
  }

  private ensure(extraBits: number): void {
    const needBytes = (this.bitLen + extraBits + 7) >>> 3;
    if (needBytes > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < needBytes) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf);
      this.buf = next;
    }
  }

  /** Writes the low `n` (0–32) bits of `value`, most significant first. */
  writeBits(value: number, n: number): this {
    if (n < 0 || n > 32) throw new RangeError(`writeBits: ${n} bits is out of 0..32`);
    if (!Number.isInteger(value) || value < 0 || (n < 32 && value >= 2 ** n) || value >= 2 ** 32) {
      throw new RangeError(`writeBits: ${value} does not fit in ${n} bits`);
    }
    this.ensure(n);
    // Fill the current byte with as many of the remaining top bits as it has room for.
    let left = n;
    while (left > 0) {
      const free = 8 - (this.bitLen & 7);
      const take = free < left ? free : left;
      const chunk = (value >>> (left - take)) & ((1 << take) - 1);
      this.buf[this.bitLen >>> 3]! |= chunk << (free - take);
      this.bitLen += take;
      left -= take;
    }
    return this;
  }

  writeFlag(flag: boolean): this {
    return this.writeBits(flag ? 1 : 0, 1);
  }

  /** ue(v): unsigned Exp-Golomb. */
  writeUE(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xfffffffe) {
      throw new RangeError(`writeUE: ${value} is out of range`);
    }
    const codeNum = value + 1;
    const bits = Math.floor(Math.log2(codeNum)) + 1;
    this.writeBits(0, bits - 1);
    return this.writeBits(codeNum, bits);
  }

  /** se(v): signed Exp-Golomb. */
  writeSE(value: number): this {
    return this.writeUE(value > 0 ? 2 * value - 1 : -2 * value);
  }

  /** Pads with zero bits to the next byte boundary. */
  byteAlign(): this {
    const pad = (8 - (this.bitLen & 7)) & 7;
    return this.writeBits(0, pad);
  }

  /** A copy of the bytes written so far; a partial last byte is zero-padded. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, (this.bitLen + 7) >>> 3);
  }
}
