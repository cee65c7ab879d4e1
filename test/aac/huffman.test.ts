import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BitReader, BitWriter } from '../../src/media/bytes/index.js';
import { SCALEFACTOR_CODES, SCALEFACTOR_LENGTHS, SPECTRAL_BOOKS } from '../../src/media/aac/huffman-tables.js';
import { countSpectralPair, writeSpectral } from '../../src/media/aac/huffman.js';

// Codebook sizes and largest absolute values of ISO/IEC 14496-3 Table 4.A.1 (and the 121-entry
// scalefactor book of Table 4.A.1 itself).
const SIZES = [81, 81, 81, 81, 81, 81, 64, 64, 169, 169, 289];
const LAV = [1, 1, 2, 2, 4, 4, 7, 7, 12, 12, 16];
const DIM = [4, 4, 4, 4, 2, 2, 2, 2, 2, 2, 2];

function checkPrefixCode(lengths: Uint8Array, codes: Uint32Array, name: string): void {
  let kraft = 0;
  for (let i = 0; i < lengths.length; i++) {
    assert.ok(codes[i]! < 2 ** lengths[i]!, `${name}[${i}] code wider than its length`);
    kraft += 2 ** -lengths[i]!;
  }
  // Every AAC book is a complete prefix code: the Kraft sum is exactly 1.
  assert.equal(kraft, 1, `${name}: Kraft sum`);
  const seen = new Map<string, number>();
  for (let i = 0; i < lengths.length; i++) {
    for (let l = 1; l <= lengths[i]!; l++) {
      const prefix = `${l}:${codes[i]! >>> (lengths[i]! - l)}`;
      if (l === lengths[i]) assert.ok(!seen.has(prefix), `${name}[${i}] duplicates a codeword`);
      seen.set(prefix, i);
    }
  }
  for (let i = 0; i < lengths.length; i++) {
    // No codeword may be a proper prefix of another.
    for (let j = 0; j < lengths.length; j++) {
      if (i === j || lengths[j]! <= lengths[i]!) continue;
      assert.notEqual(codes[j]! >>> (lengths[j]! - lengths[i]!), codes[i], `${name}[${i}] prefixes [${j}]`);
    }
  }
}

test('scalefactor codebook: 121 entries, 1–19 bits, complete prefix code, index 60 (diff 0) is "0"', () => {
  assert.equal(SCALEFACTOR_LENGTHS.length, 121);
  assert.equal(SCALEFACTOR_CODES.length, 121);
  assert.equal(Math.max(...SCALEFACTOR_LENGTHS), 19);
  assert.equal(SCALEFACTOR_LENGTHS[60], 1);
  assert.equal(SCALEFACTOR_CODES[60], 0);
  checkPrefixCode(SCALEFACTOR_LENGTHS, SCALEFACTOR_CODES, 'scalefactor');
});

test('spectral codebooks 1–11 have the sizes, dimensions and ranges of the standard', () => {
  for (let cb = 1; cb <= 11; cb++) {
    const book = SPECTRAL_BOOKS[cb]!;
    assert.equal(book.lengths.length, SIZES[cb - 1], `book ${cb} size`);
    assert.equal(book.codes.length, SIZES[cb - 1], `book ${cb} size`);
    assert.equal(book.lav, LAV[cb - 1]);
    assert.equal(book.dim, DIM[cb - 1]);
    assert.equal(book.mod ** book.dim, SIZES[cb - 1]);
    checkPrefixCode(book.lengths, book.codes, `book ${cb}`);
  }
});

/** Every value tuple a book can code, escapes included for book 11. */
function allTuples(cb: number): number[][] {
  const book = SPECTRAL_BOOKS[cb]!;
  const values: number[] = [];
  for (let v = -book.lav; v <= book.lav; v++) values.push(v);
  if (cb === 11) values.push(-8191, -300, 17, 1000, 8191);
  const tuples: number[][] = [[]];
  for (let d = 0; d < book.dim; d++) {
    const next: number[][] = [];
    for (const t of tuples) for (const v of values) next.push([...t, v]);
    tuples.length = 0;
    tuples.push(...next);
  }
  return tuples;
}

test('spectral writing round-trips through a bit-by-bit decoder, and counting matches writing', () => {
  const pair = new Int32Array(2);
  for (let cb = 1; cb <= 11; cb++) {
    const book = SPECTRAL_BOOKS[cb]!;
    const tuples = allTuples(cb);
    const q = Int32Array.from(tuples.flat());
    const w = new BitWriter();
    writeSpectral(w, q, 0, q.length, cb);
    const first = cb % 2 === 0 && cb < 11 ? cb - 1 : cb;
    countSpectralPair(q, 0, q.length, first, pair);
    assert.equal(pair[cb - first], w.bitLength, `book ${cb}: counted bits`);
    const map = new Map<string, number>();
    for (let i = 0; i < book.lengths.length; i++) map.set(`${book.lengths[i]}:${book.codes[i]}`, i);
    const r = new BitReader(w.toBytes());
    for (const t of tuples) {
      let code = 0;
      let idx: number | undefined;
      for (let len = 1; idx === undefined; len++) {
        code = code * 2 + r.readBit();
        idx = map.get(`${len}:${code}`);
      }
      const mags: number[] = [];
      for (let d = 0; d < book.dim; d++) {
        mags.unshift(idx % book.mod);
        idx = Math.floor(idx / book.mod);
      }
      const got = book.signed
        ? mags.map((m) => m - book.lav)
        : (() => {
            const signs = mags.map((m) => (m ? r.readBit() : 0));
            return mags.map((m, d) => {
              let v = m;
              if (cb === 11 && m === 16) {
                let n = 4;
                while (r.readBit()) n++;
                v = (1 << n) + r.readBits(n);
              }
              return signs[d] ? -v : v;
            });
          })();
      assert.deepEqual(got, t, `book ${cb}`);
    }
  }
});
