import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimator } from '../../src/media/pcm/decimator.js';

const RATE = 48_000;

function sine(freq: number, frames: number, amplitude = 0.5): Float32Array {
  return Float32Array.from({ length: frames }, (_, i) => amplitude * Math.sin((2 * Math.PI * freq * i) / RATE));
}

/** Runs `input` through a fresh decimator in blocks of `block` frames; returns the joined output. */
function decimate(input: Float32Array, block: number, factor = 3): { out: Float32Array; offsets: number[] } {
  const d = new Decimator(factor, 1);
  const parts: number[] = [];
  const offsets: number[] = [];
  for (let at = 0; at < input.length; at += block) {
    const { planes, offsetFrames } = d.process([input.subarray(at, at + block)]);
    offsets.push(at + offsetFrames);
    parts.push(...planes[0]!);
  }
  return { out: Float32Array.from(parts), offsets };
}

/** Amplitude of a sine from its RMS over the steady part (after the filter has filled). */
function steadyAmplitude(x: Float32Array): number {
  // 7600 outputs: a whole number of periods of every test tone at 16 kHz (within 0.1 %).
  let sum = 0;
  for (let i = 200; i < 7800; i++) sum += x[i]! * x[i]!;
  return Math.sqrt((2 * sum) / 7600);
}

test('block size does not change the output: the phase carries across blocks', () => {
  const input = sine(1000, 48_000);
  const whole = decimate(input, input.length).out;
  for (const block of [1024, 128, 7, 1]) {
    const split = decimate(input, block).out;
    assert.equal(split.length, whole.length, `block ${block}: ${split.length} vs ${whole.length} outputs`);
    for (let i = 0; i < whole.length; i++) assert.ok(Math.abs(split[i]! - whole[i]!) < 1e-6, `block ${block}, sample ${i}`);
  }
  assert.equal(whole.length, 16_000);
});

test('48 → 16 kHz keeps the passband and stops what would alias', () => {
  for (const freq of [100, 1000, 4000, 6500]) {
    const db = 20 * Math.log10(steadyAmplitude(decimate(sine(freq, 24_000), 1024).out) / 0.5);
    assert.ok(Math.abs(db) < 0.1, `${freq} Hz passes at ${db.toFixed(3)} dB`);
  }
  for (const freq of [9500, 12_000, 16_000, 23_000]) {
    const db = 20 * Math.log10(steadyAmplitude(decimate(sine(freq, 24_000), 1024).out) / 0.5);
    assert.ok(db < -60, `${freq} Hz (would alias) is ${db.toFixed(1)} dB`);
  }
});

test('offsetFrames places each output on the input timeline: an impulse comes out where it went in', () => {
  // The filter's delay is 64 input frames; 1499 + 64 is on the output grid (every third frame).
  const input = new Float32Array(4096);
  input[1499] = 1;
  const d = new Decimator(3, 1);
  let peakAt = -1;
  let peak = 0;
  for (let at = 0; at < input.length; at += 1024) {
    const { planes, offsetFrames } = d.process([input.subarray(at, at + 1024)]);
    planes[0]!.forEach((v, k) => {
      if (Math.abs(v) > peak) {
        peak = Math.abs(v);
        peakAt = at + offsetFrames + k * 3;
      }
    });
  }
  assert.equal(peakAt, 1499);
});

test('factor 1 passes blocks through; bad arguments are refused', () => {
  const block = sine(440, 512);
  const d = new Decimator(1, 1);
  const { planes, offsetFrames } = d.process([block]);
  assert.equal(planes[0], block);
  assert.equal(offsetFrames, 0);
  assert.throws(() => new Decimator(1.5, 1), /positive integer/);
  assert.throws(() => new Decimator(3, 0), /positive integer/);
  assert.throws(() => new Decimator(3, 2).process([block]), /1 planes, expected 2/);
});
