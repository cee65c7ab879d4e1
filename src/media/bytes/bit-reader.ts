import { FormatError, TruncatedError } from '../errors.js';

/**
 * Reads MSB-first bit fields, as codec headers (H.264 SPS, AAC AudioSpecificConfig and raw data
 * blocks) are written. Includes the Exp-Golomb codes of H.264 §9.1.
 */
export class BitReader {
  private readonly bytes: Uint8Array;
  /** Position in bits from the start. */
  bitPos = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  get bitsLeft(): number {
    return this.bytes.length * 8 - this.bitPos;
  }

  readBit(): number {
    if (this.bitPos >= this.bytes.length * 8) throw new TruncatedError('bit reader ran past the end');
    const byte = this.bytes[this.bitPos >>> 3]!;
    const bit = (byte >>> (7 - (this.bitPos & 7))) & 1;
    this.bitPos++;
    return bit;
  }

  /** Reads `n` (0–32) bits as an unsigned number. */
  readBits(n: number): number {
    if (n < 0 || n > 32) throw new RangeError(`readBits: ${n} bits is out of 0..32`);
    if (n > this.bitsLeft) throw new TruncatedError(`need ${n} bit(s), have ${this.bitsLeft}`);
    let value = 0;
    let left = n;
    while (left > 0) {
      const avail = 8 - (this.bitPos & 7);
      const take = avail < left ? avail : left;
      const byte = this.bytes[this.bitPos >>> 3]!;
      const chunk = (byte >>> (avail - take)) & ((1 << take) - 1);
      value = value * 2 ** take + chunk;
      this.bitPos += take;
      left -= take;
    }
    return value;
  }

  readFlag(): boolean {
    return this.readBit() === 1;
  }

  skipBits(n: number): void {
    if (n > this.bitsLeft) throw new TruncatedError(`cannot skip ${n} bit(s), have ${this.bitsLeft}`);
    this.bitPos += n;
  }

  /** ue(v): unsigned Exp-Golomb. */
  readUE(): number {
    let leadingZeros = 0;
    while (this.readBit() === 0) {
      if (++leadingZeros > 31) throw new FormatError('Exp-Golomb code longer than 32 bits');
    }
    return 2 ** leadingZeros - 1 + this.readBits(leadingZeros);
  }

  /** se(v): signed Exp-Golomb. */
  readSE(): number {
    const k = this.readUE();
    return k & 1 ? (k + 1) / 2 : -(k / 2);
  }

  byteAlign(): void {
    this.bitPos = (this.bitPos + 7) & ~7;
  }
}
