import { BAND_STRIDE } from './ics.js';
import type { IcsData } from './ics.js';

/**
 * Perceptual noise substitution (ISO/IEC 14496-3 §4.6.13). At low bitrates the rate loop can only
 * afford coarse quantization, which turns the noisy upper bands of speech and music into sparse
 * tonal "birdies" or holes. A band that is noise-like anyway is sent as its energy alone
 * (codebook NOISE_HCB), and the decoder fills it with random noise of that energy: a few bits
 * instead of a spectrum, and it sounds like the original noise.
 *
 * It pays only where the waveform does not matter: above PNS_START_HZ, at bitrates where there
 * are not enough bits to code such bands faithfully, in steady long frames (the caller checks),
 * and in bands that are noise in three ways: flat within the frame (low tonality), steady from
 * frame to frame, and unpredictable along frequency (neighbouring MDCT coefficients of noise are
 * uncorrelated). The last two keep a fast chirp out, which in one frame looks as flat as noise
 * but whose coefficients follow each other closely. A band holding a large share of the frame's
 * energy is never substituted: a mistake there would be the loudest thing heard. Bands coded in
 * M/S are left alone (a noise band shared by both channels would be correlated noise).
 * @internal
 */

/** Lowest frequency substituted: below it the ear resolves waveforms too well. */
const PNS_START_HZ = 5000;
/** Per-channel bitrate up to which PNS is used. */
export const PNS_MAX_BITRATE_PER_CHANNEL = 40_000;
/** Tonality (0–1, from the psychoacoustic model) under which a band counts as noise. */
const MAX_TONALITY = 0.15;
/** Largest band energy change from the previous frame (either way) of a steady band: 3 dB. */
const MAX_ENERGY_CHANGE = 2;
/** Largest share of the frame's energy a substituted band may hold. */
const MAX_ENERGY_SHARE = 0.1;
/** Largest 2nd-order prediction gain along frequency of a noise band (noise: about 1). */
const MAX_PREDICTION_GAIN = 1.3;

/** Gain of the best 2nd-order linear predictor of x[start..end) along frequency. */
function predictionGain(x: Float64Array, start: number, end: number): number {
  let r0 = 0;
  let r1 = 0;
  let r2 = 0;
  for (let i = start; i < end; i++) {
    r0 += x[i]! * x[i]!;
    if (i > start) r1 += x[i]! * x[i - 1]!;
    if (i > start + 1) r2 += x[i]! * x[i - 2]!;
  }
  if (!(r0 > 0)) return 1;
  const k1 = r1 / r0;
  const k2 = (r2 / r0 - k1 * k1) / (1 - k1 * k1);
  return 1 / ((1 - k1 * k1) * (1 - k2 * k2));
}

/** Per-channel noise substitution decisions for long frames. */
export class NoiseSubstitution {
  /** Band energies of the previous long frame, for the steadiness test. */
  private readonly prevEnergy = new Float64Array(BAND_STRIDE);
  private readonly sampleRate: number;

  constructor(sampleRate: number) {
    this.sampleRate = sampleRate;
  }

  /**
   * Marks noise bands of a long frame in `ics.noise` and stores their energies in `ics.sf`: the
   * noise energy is 2·log2 of the band energy, as the decoder scales the noise of each window to
   * 2^(0.5·noise_nrg). Bands under their allowed noise are left to be zeroed.
   */
  choose(
    ics: IcsData,
    spectrum: Float64Array,
    energy: Float64Array,
    threshold: Float64Array,
    tonality: Float64Array,
    msUsed: Uint8Array | null,
    codedBands: number,
  ): void {
    const binHz = this.sampleRate / 2 / ics.swb[ics.numSwb]!;
    let total = 0;
    for (let i = 0; i < ics.numSwb; i++) total += energy[i]!;
    let b = 0;
    while (b < codedBands && ics.swb[b]! * binHz < PNS_START_HZ) b++;
    for (; b < codedBands; b++) {
      const e = energy[b]!;
      const prev = this.prevEnergy[b]!;
      const steady = e < prev * MAX_ENERGY_CHANGE && prev < e * MAX_ENERGY_CHANGE;
      if (!steady || e > MAX_ENERGY_SHARE * total || tonality[b]! > MAX_TONALITY) continue;
      if ((msUsed && msUsed[b]) || !(e > threshold[b]!)) continue;
      if (predictionGain(spectrum, ics.swb[b]!, ics.swb[b + 1]!) > MAX_PREDICTION_GAIN) continue;
      ics.noise[b] = 1;
      ics.sf[b] = Math.round(2 * Math.log2(e));
    }
  }

  /** Remembers this frame's band energies (call on every frame; short frames break steadiness). */
  update(energy: Float64Array, long: boolean): void {
    if (long) this.prevEnergy.set(energy.subarray(0, BAND_STRIDE));
    else this.prevEnergy.fill(0);
  }
}
