/**
 * The reverb's impulse responses as pure maths (no browser): each design's decay per octave band
 * (ISO 3382-1 T30 from Schroeder integration), its shape, determinism and stereo decorrelation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bandDecaySeconds, generateImpulseResponse, impulseResponseLength } from '../../src/browser/audio/impulse-response.js';
import { createReverb, REVERB_DESIGNS, type ReverbType } from '../../src/browser/audio/reverb.js';
import { octaveBand, spectralFineStructureDb, t30 } from './acoustics.js';

const designs = Object.entries(REVERB_DESIGNS).map(([type, design]) => ({ type: Number(type) as ReverbType, design }));

/** T30 of the octave band around `centre`, both channels. */
function bandT30(channels: Float32Array[], centre: number, sampleRate: number): number {
  return t30(
    channels.map((ch) => octaveBand(ch, centre, sampleRate)),
    sampleRate,
  );
}

for (const sampleRate of [48_000, 16_000]) {
  test(`${sampleRate} Hz: the mid-band decay (500 Hz and 1 kHz octaves) is each design's RT60 within 10 %`, () => {
    for (const { design } of designs) {
      const ir = generateImpulseResponse(design, sampleRate);
      for (const centre of [500, 1000]) {
        const measured = bandT30(ir, centre, sampleRate);
        assert.ok(Math.abs(measured / design.decaySeconds - 1) <= 0.1, `${design.name} ${centre} Hz: T30 ${measured.toFixed(3)} s, designed ${design.decaySeconds} s`);
      }
    }
  });

  test(`${sampleRate} Hz: the whole response decays at its RT60 within 10 %`, () => {
    for (const { design } of designs) {
      const measured = t30(generateImpulseResponse(design, sampleRate), sampleRate);
      assert.ok(Math.abs(measured / design.decaySeconds - 1) <= 0.1, `${design.name}: T30 ${measured.toFixed(3)} s, designed ${design.decaySeconds} s`);
    }
  });
}

test('highs die first where the design damps them: the 4 kHz octave decays faster than the 1 kHz one', () => {
  for (const { design } of designs.filter((d) => d.design.trebleRatio < 0.7)) {
    const ir = generateImpulseResponse(design, 48_000);
    const mid = bandT30(ir, 1000, 48_000);
    const high = bandT30(ir, 4000, 48_000);
    assert.ok(bandDecaySeconds(design, 4000) < design.decaySeconds);
    assert.ok(high < 0.9 * mid, `${design.name}: 4 kHz ${high.toFixed(3)} s vs 1 kHz ${mid.toFixed(3)} s`);
  }
});

test('every response: two channels of unit energy, finite, as long as designed, decorrelated', () => {
  for (const sampleRate of [48_000, 16_000]) {
    for (const { design } of designs) {
      const [left, right] = generateImpulseResponse(design, sampleRate);
      assert.ok(left && right);
      assert.equal(left.length, impulseResponseLength(design, sampleRate));
      // No longer than the slowest band takes to fall 50 dB: a convolver's work grows with length.
      assert.ok(left.length / sampleRate <= design.decaySeconds * Math.max(1, design.bassRatio), design.name);
      let ll = 0;
      let rr = 0;
      let lr = 0;
      for (let i = 0; i < left.length; i++) {
        assert.ok(Number.isFinite(left[i]!) && Number.isFinite(right[i]!), `${design.name}: sample ${i}`);
        ll += left[i]! ** 2;
        rr += right[i]! ** 2;
        lr += left[i]! * right[i]!;
      }
      assert.ok(Math.abs(ll - 1) < 1e-3 && Math.abs(rr - 1) < 1e-3, `${design.name}: energies ${ll}, ${rr}`);
      assert.ok(Math.abs(lr) < 0.15, `${design.name} at ${sampleRate} Hz: channel correlation ${lr.toFixed(3)}`);
    }
  }
});

test('the same design gives the same response; another seed another one', () => {
  const design = REVERB_DESIGNS[3];
  const [a] = generateImpulseResponse(design, 16_000, 1);
  const [b] = generateImpulseResponse(design, 16_000, 1);
  const [c] = generateImpulseResponse({ ...design, seed: design.seed + 100 }, 16_000, 1);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('KTV carries its slapback: the left channel holds a tap at 110 ms far above the tail around it', () => {
  const sampleRate = 48_000;
  const [left] = generateImpulseResponse(REVERB_DESIGNS[1], sampleRate, 1);
  const at = Math.round(0.11 * sampleRate);
  let around = 0;
  for (let i = at - 480; i < at + 480; i++) if (i !== at) around = Math.max(around, Math.abs(left![i]!));
  assert.ok(Math.abs(left![at]!) > 4 * around, `tap ${left![at]}, largest neighbour ${around}`);
});

/** Pearson correlation of two equally long series. */
function correlation(a: number[], b: number[]): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  a.forEach((x, i) => {
    ab += x * b[i]!;
    aa += x * x;
    bb += b[i]! ** 2;
  });
  return ab / Math.sqrt(aa * bb);
}

test('metallic rings at its own resonances: both channels peak at the same frequencies, unlike the rooms', () => {
  // The channels' noises are independent, so only a resonance of the design itself (the combs)
  // puts peaks at the same frequencies in both.
  for (const sampleRate of [48_000, 16_000]) {
    for (const { design } of designs) {
      const [left, right] = generateImpulseResponse(design, sampleRate);
      const shared = correlation(spectralFineStructureDb(left!, sampleRate, 300, 6000), spectralFineStructureDb(right!, sampleRate, 300, 6000));
      if (design.resonance) assert.ok(shared >= 0.4, `${design.name} at ${sampleRate} Hz: ${shared.toFixed(2)}`);
      else assert.ok(shared < 0.2, `${design.name} at ${sampleRate} Hz: ${shared.toFixed(2)}`);
    }
  }
});

test('bad input: a clear RangeError, before any audio node is made', () => {
  for (const type of [0, 8, -1, 1.5, Number.NaN, '1']) {
    assert.throws(() => createReverb({} as BaseAudioContext, type as ReverbType), (e: unknown) => e instanceof RangeError && /audio-reverb-type must be 1–7/.test(e.message), String(type));
  }
  const design = REVERB_DESIGNS[2];
  assert.throws(() => generateImpulseResponse({ ...design, decaySeconds: 0 }, 48_000), RangeError);
  assert.throws(() => generateImpulseResponse({ ...design, resonance: { delaysSeconds: [0.003], feedback: 1 } }, 48_000), RangeError);
  assert.throws(() => generateImpulseResponse(design, 0), RangeError);
  assert.throws(() => generateImpulseResponse(design, 48_000, 0), RangeError);
});
