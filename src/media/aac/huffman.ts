import type { BitWriter } from '../bytes/index.js';
import { ESC_HCB } from './constants.js';
import { ESC_VALUE, SCALEFACTOR_CODES, SCALEFACTOR_LENGTHS, SPECTRAL_BOOKS } from './huffman-tables.js';
import type { SpectralCodebook } from './huffman-tables.js';
import { assert } from '../errors.js';

/**
 * Counting and writing of Huffman-coded spectral data (§4.6.3, spectral_data()) and scalefactor
 * differences (§4.6.2.3.2). Counting mirrors writing exactly, so the rate loop can rely on it.
 * @internal
 */

/** Bits of the escape sequence of one magnitude ≥ 16 (§4.6.3.3): N−4 ones, a zero, N bits. */
function escapeBits(mag: number): number {
  const n = 31 - Math.clz32(mag);
  return 2 * n - 3;
}

/** Codeword index of a 4-tuple or pair, and the count of sign bits an unsigned book adds. */
function tupleIndex(book: SpectralCodebook, q: Int32Array, i: number): number {
  const mod = book.mod;
  if (book.signed) {
    const off = book.lav;
    if (book.dim === 4) {
      return ((q[i]! + off) * mod + q[i + 1]! + off) * mod * mod + (q[i + 2]! + off) * mod + q[i + 3]! + off;
    }
    return (q[i]! + off) * mod + q[i + 1]! + off;
  }
  if (book.dim === 4) {
    return ((Math.abs(q[i]!) * mod + Math.abs(q[i + 1]!)) * mod + Math.abs(q[i + 2]!)) * mod + Math.abs(q[i + 3]!);
  }
  const y = Math.abs(q[i]!);
  const z = Math.abs(q[i + 1]!);
  return (y < ESC_VALUE ? y : ESC_VALUE) * mod + (z < ESC_VALUE ? z : ESC_VALUE);
}

/** Largest magnitude in q[start..end). */
export function maxAbs(q: Int32Array, start: number, end: number): number {
  let m = 0;
  for (let i = start; i < end; i++) {
    const a = Math.abs(q[i]!);
    if (a > m) m = a;
  }
  return m;
}

/**
 * Smallest spectral codebook whose largest absolute value covers `max` (0 → ZERO_HCB); books
 * come in pairs of equal range (1/2, 3/4, 5/6, 7/8, 9/10), then the escape book 11.
 */
export function smallestBook(max: number): number {
  if (max === 0) return 0;
  if (max <= 1) return 1;
  if (max <= 2) return 3;
  if (max <= 4) return 5;
  if (max <= 7) return 7;
  if (max <= 12) return 9;
  return ESC_HCB;
}

/**
 * Bits needed to code q[start..end) with codebook `cb` (1–11) and, for books 1–9, with its
 * partner `cb + 1` of the same range, counted in one pass: `pairBits[0]` and `pairBits[1]`. The
 * caller ensures the books' largest absolute value covers the values.
 */
export function countSpectralPair(q: Int32Array, start: number, end: number, cb: number, pairBits: Int32Array): void {
  const a = SPECTRAL_BOOKS[cb]!.lengths;
  const b = cb < ESC_HCB ? SPECTRAL_BOOKS[cb + 1]!.lengths : a;
  let bitsA = 0;
  let bitsB = 0;
  switch (cb) {
    case 1:
      for (let i = start; i < end; i += 4) {
        const idx = 27 * q[i]! + 9 * q[i + 1]! + 3 * q[i + 2]! + q[i + 3]! + 40;
        bitsA += a[idx]!;
        bitsB += b[idx]!;
      }
      break;
    case 3:
      for (let i = start; i < end; i += 4) {
        const w = Math.abs(q[i]!);
        const x = Math.abs(q[i + 1]!);
        const y = Math.abs(q[i + 2]!);
        const z = Math.abs(q[i + 3]!);
        const idx = 27 * w + 9 * x + 3 * y + z;
        const signs = (w > 0 ? 1 : 0) + (x > 0 ? 1 : 0) + (y > 0 ? 1 : 0) + (z > 0 ? 1 : 0);
        bitsA += a[idx]! + signs;
        bitsB += b[idx]! + signs;
      }
      break;
    case 5:
      for (let i = start; i < end; i += 2) {
        const idx = 9 * q[i]! + q[i + 1]! + 40;
        bitsA += a[idx]!;
        bitsB += b[idx]!;
      }
      break;
    case 7:
    case 9: {
      const mod = cb === 7 ? 8 : 13;
      for (let i = start; i < end; i += 2) {
        const y = Math.abs(q[i]!);
        const z = Math.abs(q[i + 1]!);
        const idx = mod * y + z;
        const signs = (y > 0 ? 1 : 0) + (z > 0 ? 1 : 0);
        bitsA += a[idx]! + signs;
        bitsB += b[idx]! + signs;
      }
      break;
    }
    case ESC_HCB:
      for (let i = start; i < end; i += 2) {
        const y = Math.abs(q[i]!);
        const z = Math.abs(q[i + 1]!);
        bitsA += a[17 * (y < 16 ? y : 16) + (z < 16 ? z : 16)]!;
        if (y > 0) bitsA += y < 16 ? 1 : 1 + escapeBits(y);
        if (z > 0) bitsA += z < 16 ? 1 : 1 + escapeBits(z);
      }
      bitsB = bitsA;
      break;
    default:
      throw new RangeError(`countSpectralPair: codebook ${cb} does not start a pair`);
  }
  pairBits[0] = bitsA;
  pairBits[1] = bitsB;
}

/** Writes q[start..end) with codebook `cb`: codeword, sign bits, then escapes (§4.6.3.3). */
export function writeSpectral(bw: BitWriter, q: Int32Array, start: number, end: number, cb: number): void {
  const book = SPECTRAL_BOOKS[cb];
  assert(book, `no spectral codebook ${cb}`);
  for (let i = start; i < end; i += book.dim) {
    const idx = tupleIndex(book, q, i);
    if (book.signed) {
      bw.writeBits(book.codes[idx]!, book.lengths[idx]!);
      continue;
    }
    // The codeword and its sign bits (1 = negative) in one write: at most 16 + 4 bits.
    let word = book.codes[idx]!;
    let length = book.lengths[idx]!;
    for (let j = 0; j < book.dim; j++) {
      const v = q[i + j]!;
      if (v === 0) continue;
      word = word * 2 + (v < 0 ? 1 : 0);
      length++;
    }
    bw.writeBits(word, length);
    if (cb !== ESC_HCB) continue;
    for (let j = 0; j < 2; j++) {
      const a = Math.abs(q[i + j]!);
      if (a < ESC_VALUE) continue;
      const n = 31 - Math.clz32(a);
      // escape_prefix (N−4 ones), escape_separator (0), escape_word (N bits): ≤ 9 + 1 + 12 bits.
      bw.writeBits((((1 << (n - 4)) - 1) << (n + 1)) | (a - (1 << n)), 2 * n - 3);
    }
  }
}

/** Bits of one scalefactor difference (−60…+60). */
export function scalefactorBits(diff: number): number {
  return SCALEFACTOR_LENGTHS[diff + 60]!;
}

export function writeScalefactorDiff(bw: BitWriter, diff: number): void {
  assert(diff >= -60 && diff <= 60, `scalefactor difference ${diff} out of range`);
  bw.writeBits(SCALEFACTOR_CODES[diff + 60]!, SCALEFACTOR_LENGTHS[diff + 60]!);
}
