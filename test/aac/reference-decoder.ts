/**
 * A small, independent reader of the AAC-LC raw_data_block() syntax (ISO/IEC 14496-3 §4.4.2), for
 * tests: it decodes section data, scalefactors and Huffman-coded spectral data back to what the
 * encoder meant to write. Huffman codes are decoded bit by bit against a map of (length, code) →
 * index built from the tables, so it shares no counting or writing logic with the encoder.
 */
import { BitReader } from '../../src/media/bytes/index.js';
import { SCALEFACTOR_CODES, SCALEFACTOR_LENGTHS, SPECTRAL_BOOKS } from '../../src/media/aac/huffman-tables.js';

export interface DecodedIcs {
  globalGain: number;
  windowSequence: number;
  windowShape: number;
  maxSfb: number;
  groupLengths: number[];
  /** Codebook per [group][band]. */
  cb: number[][];
  /** Scalefactor (noise energy for NOISE_HCB) per [group][band]; undefined for ZERO_HCB bands. */
  sf: (number | undefined)[][];
  /** Quantized values in the interleaved order they were read. */
  q: Int32Array;
  /** tns_data() per window (empty when absent): one filter at most per window from this encoder. */
  tns: { length: number; order: number; direction: number; coefRes: number; coef: number[] }[][];
}

export interface DecodedElement {
  type: 'sce' | 'cpe';
  tag: number;
  ics: DecodedIcs[];
  msMaskPresent: number;
  /** ms_used per [group][band] (all 1 when ms_mask_present = 2). */
  msUsed: number[][];
}

export interface DecodedBlock {
  elements: DecodedElement[];
  fillBytes: number;
}

type CodeMap = Map<string, number>;

function codeMap(lengths: Uint8Array, codes: Uint32Array): CodeMap {
  const map: CodeMap = new Map();
  for (let i = 0; i < lengths.length; i++) map.set(`${lengths[i]}:${codes[i]}`, i);
  return map;
}

const SF_MAP = codeMap(SCALEFACTOR_LENGTHS, SCALEFACTOR_CODES);
const BOOK_MAPS = SPECTRAL_BOOKS.map((b) => (b ? codeMap(b.lengths, b.codes) : null));

function readHuffman(r: BitReader, map: CodeMap): number {
  let code = 0;
  for (let len = 1; len <= 19; len++) {
    code = code * 2 + r.readBit();
    const idx = map.get(`${len}:${code}`);
    if (idx !== undefined) return idx;
  }
  throw new Error(`no codeword matches at bit ${r.bitPos}`);
}

function readEscape(r: BitReader): number {
  let n = 4;
  while (r.readBit() === 1) n++;
  return (1 << n) + r.readBits(n);
}

interface IcsInfo {
  windowSequence: number;
  windowShape: number;
  maxSfb: number;
  groupLengths: number[];
}

function readIcsInfo(r: BitReader): IcsInfo {
  if (r.readBit() !== 0) throw new Error('ics_reserved_bit set');
  const windowSequence = r.readBits(2);
  const windowShape = r.readBit();
  if (windowSequence === 2) {
    const maxSfb = r.readBits(4);
    const grouping = r.readBits(7);
    const groupLengths = [1];
    for (let w = 1; w < 8; w++) {
      if ((grouping >> (7 - w)) & 1) groupLengths[groupLengths.length - 1]!++;
      else groupLengths.push(1);
    }
    return { windowSequence, windowShape, maxSfb, groupLengths };
  }
  const maxSfb = r.readBits(6);
  if (r.readBit() !== 0) throw new Error('predictor_data_present set in AAC-LC');
  return { windowSequence, windowShape, maxSfb, groupLengths: [1] };
}

function readIcs(r: BitReader, swb: { long: Uint16Array; short: Uint16Array }, common: IcsInfo | null): DecodedIcs {
  const globalGain = r.readBits(8);
  const info = common ?? readIcsInfo(r);
  const short = info.windowSequence === 2;
  const offsets = short ? swb.short : swb.long;
  const lenBits = short ? 3 : 5;
  const esc = (1 << lenBits) - 1;
  const cb: number[][] = [];
  for (let g = 0; g < info.groupLengths.length; g++) {
    const books: number[] = [];
    while (books.length < info.maxSfb) {
      const book = r.readBits(4);
      let len = 0;
      let incr: number;
      do {
        incr = r.readBits(lenBits);
        len += incr;
      } while (incr === esc);
      if (len === 0 || books.length + len > info.maxSfb) throw new Error(`bad section length ${len}`);
      for (let i = 0; i < len; i++) books.push(book);
    }
    cb.push(books);
  }
  let last = globalGain;
  // Noise energies (PNS, codebook 13) form their own chain from global_gain − 90 (§4.6.13).
  let noise = globalGain - 90;
  let firstNoise = true;
  const sf = cb.map((books) =>
    books.map((book) => {
      if (book === 0) return undefined;
      if (book === 13) {
        noise += firstNoise ? r.readBits(9) - 256 : readHuffman(r, SF_MAP) - 60;
        firstNoise = false;
        return noise;
      }
      if (book > 11) throw new Error(`codebook ${book} not expected from this encoder`);
      last += readHuffman(r, SF_MAP) - 60;
      return last;
    }),
  );
  if (r.readBit()) throw new Error('pulse_data_present');
  const tns: DecodedIcs['tns'] = [];
  if (r.readBit()) {
    // tns_data() (Table 4.60)
    const numWindows = short ? 8 : 1;
    for (let w = 0; w < numWindows; w++) {
      const filters: DecodedIcs['tns'][number] = [];
      const nFilt = r.readBits(short ? 1 : 2);
      const coefRes = nFilt ? r.readBit() : 0;
      for (let f = 0; f < nFilt; f++) {
        const length = r.readBits(short ? 4 : 6);
        const order = r.readBits(short ? 3 : 5);
        const filter = { length, order, direction: 0, coefRes, coef: [] as number[] };
        if (order) {
          filter.direction = r.readBit();
          const compress = r.readBit();
          const bits = coefRes + 3 - compress;
          for (let i = 0; i < order; i++) {
            const v = r.readBits(bits);
            filter.coef.push(v >= 1 << (bits - 1) ? v - (1 << bits) : v);
          }
        }
        filters.push(filter);
      }
      tns.push(filters);
    }
  }
  if (r.readBit()) throw new Error('gain_control_data_present');
  const q = new Int32Array(1024);
  let groupStart = 0;
  for (let g = 0; g < info.groupLengths.length; g++) {
    const glen = info.groupLengths[g]!;
    for (let b = 0; b < info.maxSfb; b++) {
      const book = cb[g]![b]!;
      const start = groupStart + offsets[b]! * glen;
      const end = groupStart + offsets[b + 1]! * glen;
      if (book === 0 || book === 13) continue;
      const spec = SPECTRAL_BOOKS[book]!;
      for (let k = start; k < end; k += spec.dim) {
        let idx = readHuffman(r, BOOK_MAPS[book]!);
        const vals: number[] = [];
        for (let d = 0; d < spec.dim; d++) {
          vals.unshift(idx % spec.mod);
          idx = Math.floor(idx / spec.mod);
        }
        if (spec.signed) {
          for (let d = 0; d < spec.dim; d++) q[k + d] = vals[d]! - spec.lav;
          continue;
        }
        const signs = vals.map((v) => (v !== 0 ? r.readBit() : 0));
        for (let d = 0; d < spec.dim; d++) {
          let v = vals[d]!;
          if (book === 11 && v === 16) v = readEscape(r);
          q[k + d] = signs[d] ? -v : v;
        }
      }
    }
    groupStart += (short ? 128 : 1024) * glen;
  }
  return { globalGain, ...info, cb, sf, q, tns };
}

/** Decodes one raw_data_block() of a mono (SCE) or stereo (CPE) stream. */
export function decodeRawDataBlock(bytes: Uint8Array, swb: { long: Uint16Array; short: Uint16Array }): DecodedBlock {
  const r = new BitReader(bytes);
  const elements: DecodedElement[] = [];
  let fillBytes = 0;
  for (;;) {
    const id = r.readBits(3);
    if (id === 7) break;
    if (id === 0) {
      const tag = r.readBits(4);
      elements.push({ type: 'sce', tag, ics: [readIcs(r, swb, null)], msMaskPresent: 0, msUsed: [] });
    } else if (id === 1) {
      const tag = r.readBits(4);
      if (r.readBit() !== 1) throw new Error('expected common_window = 1');
      const info = readIcsInfo(r);
      const msMaskPresent = r.readBits(2);
      const msUsed = info.groupLengths.map(() => new Array<number>(info.maxSfb).fill(msMaskPresent === 2 ? 1 : 0));
      if (msMaskPresent === 1) for (const row of msUsed) for (let b = 0; b < row.length; b++) row[b] = r.readBit();
      const left = readIcs(r, swb, info);
      const right = readIcs(r, swb, info);
      elements.push({ type: 'cpe', tag, ics: [left, right], msMaskPresent, msUsed });
    } else if (id === 6) {
      let count = r.readBits(4);
      if (count === 15) count += r.readBits(8) - 1;
      r.skipBits(8 * count);
      fillBytes += count;
    } else {
      throw new Error(`unexpected element id ${id}`);
    }
  }
  if (r.bitsLeft >= 8) throw new Error(`${r.bitsLeft} bits left after END`);
  return { elements, fillBytes };
}
