/** Deterministic test signals for the AAC tests, planar float PCM. */

/** Tones, a little noise and a click every 0.4 s (to exercise block switching). */
export function testSignal(sampleRate: number, channels: number, seconds: number): Float32Array[] {
  const n = Math.round(sampleRate * seconds);
  let seed = 12345;
  const noise = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 31 - 1;
  };
  return Array.from({ length: channels }, (_, c) => {
    const p = new Float32Array(n);
    const f0 = 220 * (c + 1);
    for (let i = 0; i < n; i++) {
      const t = i / sampleRate;
      let v = 0.3 * Math.sin(2 * Math.PI * f0 * t) + 0.15 * Math.sin(2 * Math.PI * 3.01 * f0 * t) + 0.02 * noise();
      const sinceClick = i % Math.round(0.4 * sampleRate);
      if (sinceClick < 200) v += 0.5 * Math.exp(-sinceClick / 40) * noise();
      p[i] = v;
    }
    return p;
  });
}

/** SNR in dB of `decoded` against `ref`, after skipping `delay` samples of `decoded`. */
export function snrDb(ref: Float32Array, decoded: Float32Array, delay: number): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < ref.length; i++) {
    const e = ref[i]! - (decoded[i + delay] ?? 0);
    signal += ref[i]! * ref[i]!;
    noise += e * e;
  }
  return 10 * Math.log10(signal / noise);
}
