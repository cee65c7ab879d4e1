/**
 * The reverb's wet sound as maths (no browser): the processor's own source (reverb-worklet.ts) run
 * in Node on the numbers reverb-network.ts gives each design, its impulse response measured per
 * octave band (ISO 3382-1 T30 from Schroeder integration): decay, energy, stereo, determinism,
 * the slapback and the metal body's modes. reverb.test.ts measures the whole stage in Chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bandDecaySeconds, reverbNetwork, type ReverbNetworkDesign } from '../../src/browser/audio/reverb-network.js';
import { REVERB_PROCESSOR, REVERB_WORKLET_SOURCE } from '../../src/browser/audio/reverb-worklet.js';
import { createReverb, REVERB_DESIGNS, type ReverbType } from '../../src/browser/audio/reverb.js';
import { octaveBand, spectralFineStructureDb, t30 } from './acoustics.js';
import { renderWorklet } from './worklet-runner.js';

const designs = Object.entries(REVERB_DESIGNS).map(([type, design]) => ({ type: Number(type) as ReverbType, design }));

/** The wet sound of a unit impulse, both channels, until the design has fallen well past 60 dB. */
function impulseResponse(design: ReverbNetworkDesign, sampleRate: number, channels: 1 | 2 = 2): Float32Array[] {
  const frames = Math.ceil((design.preDelaySeconds + 1.4 * Math.max(design.decaySeconds, bandDecaySeconds(design, 125))) * sampleRate);
  return renderWorklet(REVERB_WORKLET_SOURCE, REVERB_PROCESSOR, { sampleRate, options: reverbNetwork(design, sampleRate, channels), input: [Float32Array.of(1)], outputChannels: channels, frames });
}

const responses = new Map<string, Float32Array[]>();
function cachedResponse(type: ReverbType, sampleRate: number): Float32Array[] {
  const key = `${type}/${sampleRate}`;
  if (!responses.has(key)) responses.set(key, impulseResponse(REVERB_DESIGNS[type], sampleRate));
  return responses.get(key)!;
}

/** T30 of the octave band around `centre`, both channels. */
function bandT30(channels: Float32Array[], centre: number, sampleRate: number): number {
  return t30(
    channels.map((ch) => octaveBand(ch, centre, sampleRate)),
    sampleRate,
  );
}

for (const sampleRate of [48_000, 16_000]) {
  test(`${sampleRate} Hz: the mid-band decay (500 Hz and 1 kHz octaves) is each design's RT60 within 10 %`, () => {
    for (const { type, design } of designs) {
      const ir = cachedResponse(type, sampleRate);
      for (const centre of [500, 1000]) {
        const measured = bandT30(ir, centre, sampleRate);
        assert.ok(Math.abs(measured / design.decaySeconds - 1) <= 0.1, `${design.name} ${centre} Hz: T30 ${measured.toFixed(3)} s, designed ${design.decaySeconds} s`);
      }
    }
  });

  test(`${sampleRate} Hz: the whole response decays at its RT60 within 10 %`, () => {
    for (const { type, design } of designs) {
      const measured = t30(cachedResponse(type, sampleRate), sampleRate);
      assert.ok(Math.abs(measured / design.decaySeconds - 1) <= 0.1, `${design.name}: T30 ${measured.toFixed(3)} s, designed ${design.decaySeconds} s`);
    }
  });
}

test('highs die first where the design damps them: the 4 kHz octave decays faster than the 1 kHz one', () => {
  for (const { type, design } of designs.filter((d) => d.design.trebleRatio < 0.7)) {
    const ir = cachedResponse(type, 48_000);
    const mid = bandT30(ir, 1000, 48_000);
    const high = bandT30(ir, 4000, 48_000);
    assert.ok(bandDecaySeconds(design, 4000) < design.decaySeconds);
    assert.ok(high < 0.9 * mid, `${design.name}: 4 kHz ${high.toFixed(3)} s vs 1 kHz ${mid.toFixed(3)} s`);
  }
});

test('every response: finite, silent until the pre-delay, unit energy per channel within 1.5 dB, the channels decorrelated', () => {
  for (const sampleRate of [48_000, 16_000]) {
    for (const { type, design } of designs) {
      const [left, right] = cachedResponse(type, sampleRate);
      assert.ok(left && right);
      const preDelay = Math.round(design.preDelaySeconds * sampleRate);
      let ll = 0;
      let rr = 0;
      let lr = 0;
      for (let i = 0; i < left.length; i++) {
        assert.ok(Number.isFinite(left[i]!) && Number.isFinite(right[i]!), `${design.name}: sample ${i}`);
        if (i < preDelay) assert.ok(left[i] === 0 && right[i] === 0, `${design.name}: sound at ${i}, before the pre-delay`);
        ll += left[i]! ** 2;
        rr += right[i]! ** 2;
        lr += left[i]! * right[i]!;
      }
      for (const energy of [ll, rr]) assert.ok(Math.abs(10 * Math.log10(energy)) <= 1.5, `${design.name} at ${sampleRate} Hz: energies ${ll.toFixed(2)}, ${rr.toFixed(2)}`);
      // A metal body's few strong modes are the same left and right (its combs ring the input
      // before the channels part), so little independent bandwidth is left to decorrelate.
      const most = design.resonance ? 0.3 : 0.15;
      assert.ok(Math.abs(lr / Math.sqrt(ll * rr)) < most, `${design.name} at ${sampleRate} Hz: channel correlation ${(lr / Math.sqrt(ll * rr)).toFixed(3)}`);
    }
  }
});

test('a mono network gives the stereo one\'s left channel', () => {
  const [mono] = impulseResponse(REVERB_DESIGNS[2], 16_000, 1);
  const [left] = cachedResponse(2, 16_000);
  assert.deepEqual(mono, left);
});

test('the same design gives the same response; another seed other early reflections', () => {
  const design = REVERB_DESIGNS[3];
  const [a] = impulseResponse(design, 16_000, 1);
  const [b] = impulseResponse(design, 16_000, 1);
  const [c] = impulseResponse({ ...design, seed: design.seed + 100 }, 16_000, 1);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('KTV carries its slapback: the left channel holds a tap 110 ms after the pre-delay far above the sound around it', () => {
  const sampleRate = 48_000;
  const design = REVERB_DESIGNS[1];
  const [left] = cachedResponse(1, sampleRate);
  const at = Math.round((design.preDelaySeconds + 0.11) * sampleRate);
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
  // The channels come out of the network through orthogonal mixes, so only a resonance of the
  // design itself (the combs, 170 Hz apart and more) puts broad peaks at the same frequencies in
  // both. The spectra are taken at one resolution in hertz whatever the rate (about 12 Hz, the
  // 4096-point frames at 48 kHz): the network's own modes, a few hertz apart, are the same in both
  // channels too, and frames fine enough to resolve them would show those.
  for (const sampleRate of [48_000, 16_000]) {
    const size = 2 ** Math.round(Math.log2(sampleRate / 12));
    for (const { type, design } of designs) {
      const [left, right] = cachedResponse(type, sampleRate);
      const shared = correlation(spectralFineStructureDb(left!, sampleRate, 300, 6000, size), spectralFineStructureDb(right!, sampleRate, 300, 6000, size));
      if (design.resonance) assert.ok(shared >= 0.4, `${design.name} at ${sampleRate} Hz: ${shared.toFixed(2)}`);
      else assert.ok(shared < 0.2, `${design.name} at ${sampleRate} Hz: ${shared.toFixed(2)}`);
    }
  }
});

test('the network\'s lines: eight distinct primes, each longer than a render quantum', () => {
  for (const sampleRate of [48_000, 16_000, 8000]) {
    for (const { design } of designs) {
      const { lineFrames } = reverbNetwork(design, sampleRate, 2);
      assert.equal(new Set(lineFrames).size, 8, `${design.name}: ${lineFrames.join(', ')}`);
      for (const n of lineFrames) {
        assert.ok(n > 128, `${design.name} at ${sampleRate} Hz: ${n}`);
        for (let d = 2; d * d <= n; d++) assert.notEqual(n % d, 0, `${design.name}: ${n} is not prime`);
      }
    }
  }
});

test('bad input: a clear RangeError, before any audio node is made', async () => {
  for (const type of [0, 8, -1, 1.5, Number.NaN, '1']) {
    await assert.rejects(createReverb({} as BaseAudioContext, type as ReverbType), (e: unknown) => e instanceof RangeError && /audio-reverb-type must be 1–7/.test(e.message), String(type));
  }
  const design = REVERB_DESIGNS[2];
  assert.throws(() => reverbNetwork({ ...design, decaySeconds: 0 }, 48_000, 2), RangeError);
  assert.throws(() => reverbNetwork({ ...design, loopSeconds: Number.NaN }, 48_000, 2), RangeError);
  assert.throws(() => reverbNetwork({ ...design, preDelaySeconds: -0.01 }, 48_000, 2), RangeError);
  assert.throws(() => reverbNetwork({ ...design, resonance: { delaysSeconds: [0.003], feedback: 1 } }, 48_000, 2), RangeError);
  assert.throws(() => reverbNetwork(design, 0, 2), RangeError);
  assert.throws(() => reverbNetwork(design, 48_000, 3 as 2), RangeError);
});
