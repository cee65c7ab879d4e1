import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BitWriter } from '../../src/media/bytes/index.js';
import { cpeHeaderBits, icsFixedBits, settleScalefactors, writeCpe, writeEnd, writeFill, writeSce } from '../../src/media/aac/bitstream.js';
import { WindowSequence } from '../../src/media/aac/constants.js';
import { BAND_STRIDE, IcsData } from '../../src/media/aac/ics.js';
import { Sectioner } from '../../src/media/aac/sectioning.js';
import { bandTablesFor } from '../../src/media/aac/swb-tables.js';
import { decodeRawDataBlock } from './reference-decoder.js';
import type { DecodedIcs } from './reference-decoder.js';

const tables = bandTablesFor(48000);

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Fills an ICS with a random spectrum: silent bands, small values, large ones and escapes. */
function randomIcs(seed: number, sequence: WindowSequence, groups: number[]): IcsData {
  const rand = rng(seed);
  const ics = new IcsData(tables);
  ics.setGrouping(sequence, groups);
  ics.maxSfb = Math.max(1, Math.floor(ics.numSwb * (0.5 + rand() / 2)));
  let sf = 100 + Math.floor(rand() * 40);
  for (let g = 0; g < ics.numGroups; g++) {
    for (let b = 0; b < ics.maxSfb; b++) {
      const kind = rand();
      if (kind > 0.93) {
        // A noise-substituted band: no values, its energy in sf.
        ics.noise[g * BAND_STRIDE + b] = 1;
        ics.sf[g * BAND_STRIDE + b] = 40 + Math.floor(rand() * 60);
        continue;
      }
      const range = kind < 0.2 ? 0 : kind < 0.5 ? 1 : kind < 0.7 ? 3 : kind < 0.9 ? 12 : 3000;
      let nonZero = false;
      for (let i = ics.bandStart(g, b); i < ics.bandStart(g, b + 1); i++) {
        ics.q[i] = Math.round((rand() * 2 - 1) * range * rand());
        if (ics.q[i] !== 0) nonZero = true;
      }
      // As the rate loop guarantees: steps of at most ±60 between bands that carry values.
      if (nonZero) sf = Math.min(255, Math.max(0, sf + Math.floor(rand() * 61) - 30));
      ics.sf[g * BAND_STRIDE + b] = nonZero ? sf : Math.floor(rand() * 256);
    }
  }
  // TNS filters on some windows: random orders and 4-bit coefficients.
  const short = sequence === WindowSequence.EightShort;
  ics.tns.reset(short ? 8 : 1);
  for (let w = 0; w < ics.tns.numWindows; w++) {
    if (rand() < 0.5) continue;
    const order = 1 + Math.floor(rand() * (short ? 7 : 12));
    ics.tns.present = true;
    ics.tns.order[w] = order;
    ics.tns.length[w] = 1 + Math.floor(rand() * ics.numSwb);
    for (let i = 0; i < order; i++) ics.tns.coef[w * 12 + i] = Math.floor(rand() * 16) - 8;
  }
  return ics;
}

function assertDecodedMatches(got: DecodedIcs, ics: IcsData): void {
  assert.equal(got.windowSequence, ics.windowSequence);
  assert.equal(got.windowShape, ics.windowShape);
  assert.equal(got.maxSfb, ics.maxSfb);
  assert.deepEqual(got.groupLengths, Array.from(ics.groupLength.subarray(0, ics.numGroups)));
  assert.equal(got.globalGain, ics.globalGain);
  for (let g = 0; g < ics.numGroups; g++) {
    for (let b = 0; b < ics.maxSfb; b++) {
      assert.equal(got.cb[g]![b], ics.cb[g * BAND_STRIDE + b], `codebook of group ${g} band ${b}`);
      assert.equal(got.cb[g]![b] === 13, ics.noise[g * BAND_STRIDE + b] === 1, `noise band ${g}/${b}`);
      if (got.cb[g]![b] !== 0) assert.equal(got.sf[g]![b], ics.sf[g * BAND_STRIDE + b], `scalefactor of ${g}/${b}`);
    }
  }
  const windows = ics.tns.present ? ics.tns.numWindows : 0;
  assert.equal(got.tns.length, windows);
  for (let w = 0; w < windows; w++) {
    const order = ics.tns.order[w]!;
    assert.deepEqual(
      got.tns[w],
      order ? [{ length: ics.tns.length[w], order, direction: 0, coefRes: 1, coef: Array.from(ics.tns.coef.subarray(w * 12, w * 12 + order)) }] : [],
    );
  }
  const end = ics.bandStart(ics.numGroups - 1, ics.maxSfb);
  assert.deepEqual(Array.from(got.q.subarray(0, end)), Array.from(ics.q.subarray(0, end)));
}

const layouts: [string, WindowSequence, number[]][] = [
  ['long', WindowSequence.OnlyLong, [1]],
  ['start', WindowSequence.LongStart, [1]],
  ['eight short, grouped 3+1+4', WindowSequence.EightShort, [3, 1, 4]],
  ['eight short, ungrouped', WindowSequence.EightShort, [1, 1, 1, 1, 1, 1, 1, 1]],
];

for (const [name, sequence, groups] of layouts) {
  test(`SCE (${name}): decoded sections, scalefactors and spectrum equal what was meant, size as counted`, () => {
    for (let seed = 1; seed <= 20; seed++) {
      const ics = randomIcs(seed, sequence, groups);
      const sectioner = new Sectioner();
      const maxima = new Int32Array(8 * BAND_STRIDE);
      for (let g = 0; g < ics.numGroups; g++) {
        for (let b = 0; b < ics.maxSfb; b++) {
          for (let i = ics.bandStart(g, b); i < ics.bandStart(g, b + 1); i++) {
            maxima[g * BAND_STRIDE + b] = Math.max(maxima[g * BAND_STRIDE + b]!, Math.abs(ics.q[i]!));
          }
        }
      }
      const estimate = sectioner.estimate(ics, maxima);
      const sectionBits = sectioner.optimize(ics);
      assert.ok(sectionBits <= estimate, 'the optimum never exceeds the estimate');
      const sfBits = settleScalefactors(ics);
      const w = new BitWriter();
      writeSce(w, 0, ics);
      assert.equal(w.bitLength, 7 + icsFixedBits(ics, false) + sectionBits + sfBits, 'counted size');
      writeEnd(w);
      const block = decodeRawDataBlock(w.toBytes(), tables);
      assert.equal(block.elements.length, 1);
      assertDecodedMatches(block.elements[0]!.ics[0]!, ics);
    }
  });
}

test('CPE with per-band M/S flags and a fill element decodes as meant', () => {
  for (let seed = 1; seed <= 10; seed++) {
    const left = randomIcs(seed, WindowSequence.EightShort, [2, 6]);
    const right = randomIcs(seed + 100, WindowSequence.EightShort, [2, 6]);
    right.maxSfb = left.maxSfb;
    const sectioner = new Sectioner();
    let bits = 0;
    for (const ics of [left, right]) bits += sectioner.optimize(ics) + settleScalefactors(ics) + icsFixedBits(ics, true);
    const ms = new Uint8Array(8 * BAND_STRIDE);
    const rand = rng(seed);
    for (let i = 0; i < ms.length; i++) ms[i] = rand() < 0.5 ? 1 : 0;
    const w = new BitWriter();
    writeCpe(w, 0, left, right, ms);
    assert.equal(w.bitLength, cpeHeaderBits(left, ms) + bits, 'counted size');
    writeFill(w, 20);
    writeEnd(w);
    const block = decodeRawDataBlock(w.toBytes(), tables);
    assert.equal(block.fillBytes, 20);
    const cpe = block.elements[0]!;
    assert.equal(cpe.type, 'cpe');
    assert.equal(cpe.msMaskPresent, 1);
    for (let g = 0; g < left.numGroups; g++) {
      for (let b = 0; b < left.maxSfb; b++) assert.equal(cpe.msUsed[g]![b], ms[g * BAND_STRIDE + b]);
    }
    assertDecodedMatches(cpe.ics[0]!, left);
    assertDecodedMatches(cpe.ics[1]!, right);
  }
});
