import { ESC_HCB, NOISE_HCB, ZERO_HCB } from './constants.js';
import { countSpectralPair, maxAbs, smallestBook } from './huffman.js';
import { BAND_STRIDE } from './ics.js';
import type { IcsData } from './ics.js';

/**
 * Codebook selection and sectioning (§4.6.2.3.1, section_data()). Consecutive bands with the same
 * codebook form one section, whose header costs 4 bits (sect_cb) plus 5 (long) or 3 (short) bits
 * of sect_len, repeated once per escape. Two methods:
 *
 * - `estimate`: each band takes the cheaper book of its smallest usable pair, and equal
 *   neighbours merge. Fast, and an upper bound of the optimum, which is what the rate loop's
 *   search needs.
 * - `optimize`: a dynamic programme over (band, codebook) that may also give a band a larger
 *   book than it needs, or book 1 to a band of zeros, when joining a neighbour's section saves
 *   more header bits than it costs.
 *
 * Noise-substituted bands (PNS) always take NOISE_HCB.
 *
 * Both set `ics.cb` for bands below `ics.maxSfb` and return the bits of section_data() plus
 * spectral_data().
 * @internal
 */

const NUM_BOOKS = 14; // ZERO_HCB, books 1–11, reserved 12, NOISE_HCB
const INF = 1e9;

export class Sectioner {
  private readonly cost = new Float64Array(BAND_STRIDE * NUM_BOOKS);
  private readonly total = new Float64Array(BAND_STRIDE * NUM_BOOKS);
  private readonly from = new Uint8Array(BAND_STRIDE * NUM_BOOKS);
  private readonly pair = new Int32Array(2);

  /** `maxima[g·BAND_STRIDE + sfb]` holds each band's largest quantized magnitude. */
  estimate(ics: IcsData, maxima: Int32Array): number {
    const lenBits = ics.isShort ? 3 : 5;
    const escLen = (1 << lenBits) - 1;
    const q = ics.q;
    const pair = this.pair;
    let bits = 0;
    for (let g = 0; g < ics.numGroups; g++) {
      const base = g * BAND_STRIDE;
      let prev = -1;
      let run = 0;
      for (let b = 0; b < ics.maxSfb; b++) {
        const start = ics.bandStart(g, b);
        const end = ics.bandStart(g, b + 1);
        const first = ics.noise[base + b] ? NOISE_HCB : smallestBook(maxima[base + b]!);
        let cb = first;
        if (first !== ZERO_HCB && first !== NOISE_HCB) {
          countSpectralPair(q, start, end, first, pair);
          if (first !== ESC_HCB && pair[1]! < pair[0]!) cb = first + 1;
          bits += pair[cb - first]!;
        }
        ics.cb[base + b] = cb;
        if (cb === prev && run < escLen) {
          run++;
        } else if (cb === prev) {
          bits += lenBits; // the run passes an escape value of sect_len
          run = 1;
        } else {
          bits += 4 + lenBits;
          prev = cb;
          run = 1;
        }
      }
    }
    return bits;
  }

  optimize(ics: IcsData): number {
    const lenBits = ics.isShort ? 3 : 5;
    let bits = 0;
    for (let g = 0; g < ics.numGroups; g++) bits += this.optimizeGroup(ics, g, lenBits);
    return bits;
  }

  /** Fills cost[b][cb] for the books worth considering for band b. */
  private bandCosts(ics: IcsData, g: number, b: number): void {
    const { cost, pair } = this;
    const q = ics.q;
    const row = b * NUM_BOOKS;
    const start = ics.bandStart(g, b);
    const end = ics.bandStart(g, b + 1);
    cost.fill(INF, row, row + NUM_BOOKS);
    if (ics.noise[g * BAND_STRIDE + b]) {
      cost[row + NOISE_HCB] = 0; // no spectral data; its energy is counted with the scalefactors
      return;
    }
    const first = smallestBook(maxAbs(q, start, end));
    if (first === ZERO_HCB) cost[row] = 0;
    // The smallest usable pair, the next one up, and the escape book.
    const lowest = first === ZERO_HCB ? 1 : first;
    for (let option = 0; option < 3; option++) {
      const cb = option === 0 ? lowest : option === 1 ? lowest + 2 : ESC_HCB;
      if (cb > ESC_HCB || (option === 1 && cb >= ESC_HCB) || cost[row + cb]! < INF) continue;
      countSpectralPair(q, start, end, cb, pair);
      cost[row + cb] = pair[0]!;
      if (cb < ESC_HCB) cost[row + cb + 1] = pair[1]!;
    }
  }

  private optimizeGroup(ics: IcsData, g: number, lenBits: number): number {
    const nb = ics.maxSfb;
    if (nb === 0) return 0;
    const { cost, total, from } = this;
    const header = 4 + lenBits;
    for (let b = 0; b < nb; b++) this.bandCosts(ics, g, b);
    for (let cb = 0; cb < NUM_BOOKS; cb++) total[cb] = cost[cb]! + header;
    for (let b = 1; b < nb; b++) {
      const row = b * NUM_BOOKS;
      const prev = row - NUM_BOOKS;
      let bestPrev = 0;
      for (let cb = 1; cb < NUM_BOOKS; cb++) if (total[prev + cb]! < total[prev + bestPrev]!) bestPrev = cb;
      const change = total[prev + bestPrev]! + header;
      for (let cb = 0; cb < NUM_BOOKS; cb++) {
        const stay = total[prev + cb]!;
        if (stay <= change) {
          total[row + cb] = stay + cost[row + cb]!;
          from[row + cb] = cb;
        } else {
          total[row + cb] = change + cost[row + cb]!;
          from[row + cb] = bestPrev;
        }
      }
    }
    const lastRow = (nb - 1) * NUM_BOOKS;
    let cb = 0;
    for (let c = 1; c < NUM_BOOKS; c++) if (total[lastRow + c]! < total[lastRow + cb]!) cb = c;
    const base = g * BAND_STRIDE;
    for (let b = nb - 1; b >= 0; b--) {
      ics.cb[base + b] = cb;
      cb = from[b * NUM_BOOKS + cb]!;
    }
    // Exact count of the chosen sections, sect_len escapes included.
    const escLen = (1 << lenBits) - 1;
    let bits = 0;
    let b = 0;
    while (b < nb) {
      const book = ics.cb[base + b]!;
      let end = b;
      while (end < nb && ics.cb[base + end] === book) {
        bits += cost[end * NUM_BOOKS + book]!;
        end++;
      }
      bits += 4 + lenBits * (1 + Math.floor((end - b) / escLen));
      b = end;
    }
    return bits;
  }
}
