/**
 * What the reverb processor (reverb-worklet.ts) runs for a design of `audio-reverb-type` (spec §1):
 * pure maths, no Web Audio, so it is tested in Node (test/audio/reverb-network.test.ts runs the
 * processor's own source on these numbers).
 *
 *   early    sparse single taps after the pre-delay, denser towards the end of their span
 *   echoes   discrete repeats of the voice (slapback), one delay per channel
 *   late     the feedback delay network: per band, each line loses what makes that band fall
 *            60 dB in its RT60 (highs die first: wall and air absorption)
 *   combs    optional parallel feedback combs on the input: the resonant ringing of a metal body
 *   energy   the whole wet sound of an impulse has unit energy, so a design's wet level alone sets
 *            the wet-to-dry ratio whatever the decay (a long tail is not louder than a short one)
 *
 * The early taps draw from a seeded generator per channel: the channels differ (width) and the
 * same design always gives the same reverb.
 */
import { NETWORK_LINES, type ReverbProcessorOptions } from './reverb-worklet.js';

/** A reflection pattern, its level as energy relative to the late tail's. */
export interface EarlyReflections {
  readonly count: number;
  readonly spanSeconds: number;
  readonly level: number;
}

/** A discrete repeat of the dry sound; one delay per channel so that it is heard wide. */
export interface Echo {
  readonly delaySeconds: readonly [left: number, right: number];
  /** Energy relative to the late tail. */
  readonly level: number;
}

/** Parallel feedback combs that ring the whole wet sound. */
export interface Resonance {
  /** Loop delays; incommensurate values ring like a metal body rather than a pitched tube. */
  readonly delaysSeconds: readonly number[];
  /** Loop gain, below 1; peak-to-notch ratio of each comb is (1 + g) / (1 − g). */
  readonly feedback: number;
}

/** What shapes the wet sound; a reverb design (reverb.ts) extends it. */
export interface ReverbNetworkDesign {
  /** RT60 at mid frequencies (the 500 Hz and 1 kHz octaves, ISO 3382-1 T_mid). */
  readonly decaySeconds: number;
  /** RT60 of the 125 Hz octave relative to mid (concert halls: 1.1–1.25). */
  readonly bassRatio: number;
  /** RT60 of the 8 kHz octave relative to mid (air absorption: well below 1 in a real room). */
  readonly trebleRatio: number;
  /**
   * Mean length of the network's lines: how far apart the tail's first reflections come (a large
   * hall's far, a plate's or a small room's close together).
   */
  readonly loopSeconds: number;
  /** Gap between the dry sound and the first reflection. */
  readonly preDelaySeconds: number;
  readonly early?: EarlyReflections | undefined;
  readonly echoes?: readonly Echo[] | undefined;
  readonly resonance?: Resonance | undefined;
  /** Seed of the early taps; channel c uses seed + c. */
  readonly seed: number;
}

/** Where the design's bass and treble ratios are given (ISO 3382-1 octaves). */
const BASS_HZ = 125;
const TREBLE_HZ = 8000;
/** The band splits of each line's loss filter: below the first is bass, above the second treble. */
const LOW_SPLIT_HZ = 200;
const HIGH_SPLIT_HZ = 4000;
/** Line lengths spread geometrically over this range around loopSeconds. */
const LINE_SPREAD = [0.6, 1.45] as const;
/**
 * The shortest line: longer than a render quantum (128 frames, Web Audio §1.1), so that the
 * processor can run a whole block through the network before writing any of it back.
 */
const MIN_LINE_FRAMES = 256;
/**
 * The input's pink tilt: Paul Kellet's economy filter (one-pole low-passes at 265 Hz and 3.9 kHz
 * plus a direct part, within a dB of −3 dB per octave above 265 Hz), its poles placed for any
 * rate from their corner frequencies; weights are each branch's gain at DC.
 */
const PINK_CORNERS_HZ = [265, 3946] as const;
const PINK_WEIGHTS = [8.01, 2.448] as const;
const PINK_DIRECT = 0.1848;
/** The input diffusers: short allpasses that smear an impulse over a few milliseconds. */
const DIFFUSER_SECONDS = [0.0013, 0.0029, 0.0047] as const;
const DIFFUSER_GAIN = 0.6;
/** Frequencies over which the tail's energy is averaged. */
const ENERGY_GRID = 512;

/** RT60 of the octave band centred on `frequency`, per the design's bass and treble ratios. */
export function bandDecaySeconds(design: ReverbNetworkDesign, frequency: number): number {
  const octavesBelowMid = Math.log2(500 / frequency);
  const octavesAboveMid = Math.log2(frequency / 1000);
  // The ratios are given two octaves below (125 Hz) and three above (8 kHz) the mid range;
  // between, the RT60 moves geometrically, as measured halls do.
  if (octavesBelowMid > 0) return design.decaySeconds * design.bassRatio ** (octavesBelowMid / 2);
  if (octavesAboveMid > 0) return design.decaySeconds * design.trebleRatio ** (octavesAboveMid / 3);
  return design.decaySeconds;
}

/**
 * The processor's options for `design` at `sampleRate`, with `channels` (1 or 2) output channels.
 * @throws RangeError for a sample rate or design value outside what the model means.
 */
export function reverbNetwork(design: ReverbNetworkDesign, sampleRate: number, channels: 1 | 2): ReverbProcessorOptions {
  checkDesign(design);
  if (!(sampleRate >= 8000 && sampleRate <= 384_000)) throw new RangeError(`sampleRate must be 8000–384000 Hz, got ${sampleRate}`);
  if (channels !== 1 && channels !== 2) throw new RangeError(`channels must be 1 or 2, got ${String(channels)}`);
  const preDelayFrames = Math.round(design.preDelaySeconds * sampleRate);
  const taps = Array.from({ length: channels }, (_, c) => earlyTaps(design, sampleRate, preDelayFrames, c));
  const lineFrames = lineLengths(design.loopSeconds * sampleRate);
  const passGains = (band: number) => lineFrames.map((m) => 10 ** ((-3 * m) / (bandDecaySeconds(design, band) * sampleRate)));
  const pole = (hz: number) => Math.exp((-2 * Math.PI * hz) / sampleRate);
  const network = {
    pinkPoles: PINK_CORNERS_HZ.map(pole),
    pinkWeights: [...PINK_WEIGHTS],
    pinkDirect: PINK_DIRECT,
    lowGains: passGains(BASS_HZ),
    midGains: passGains(1000),
    highGains: passGains(TREBLE_HZ),
    lowPole: pole(LOW_SPLIT_HZ),
    highPole: pole(HIGH_SPLIT_HZ),
  };
  const resonance = design.resonance;
  const combFrames = (resonance?.delaysSeconds ?? []).map((s) => Math.max(1, Math.round(s * sampleRate)));
  const combFeedback = resonance?.feedback ?? 0;
  const extraEnergy = (design.early?.level ?? 0) + (design.echoes ?? []).reduce((sum, e) => sum + e.level, 0);
  return {
    channels,
    tapFrames: taps.map((t) => t.map((tap) => tap.frame)),
    tapGains: taps.map((t) => t.map((tap) => tap.gain)),
    preDelayFrames,
    ...network,
    diffuserFrames: DIFFUSER_SECONDS.map((s) => Math.max(1, Math.round(s * sampleRate))),
    diffuserGain: DIFFUSER_GAIN,
    lineFrames,
    inputGain: 1 / Math.sqrt(tailEnergy(network)),
    outputGain: 1 / Math.sqrt(1 + extraEnergy),
    combFrames,
    combFeedback,
    combGain: combFrames.length > 0 ? 1 / Math.sqrt(combEnergy(combFrames.length, combFeedback)) : 1,
  };
}

function checkDesign(d: ReverbNetworkDesign): void {
  const positive = { decaySeconds: d.decaySeconds, bassRatio: d.bassRatio, trebleRatio: d.trebleRatio, loopSeconds: d.loopSeconds };
  for (const [name, value] of Object.entries(positive)) {
    if (!(value > 0 && Number.isFinite(value))) throw new RangeError(`${name} must be a positive number, got ${value}`);
  }
  if (!(d.preDelaySeconds >= 0 && d.preDelaySeconds <= 1)) throw new RangeError(`preDelaySeconds must be within 0–1, got ${d.preDelaySeconds}`);
  const feedback = d.resonance?.feedback ?? 0;
  if (!(feedback >= 0 && feedback < 1)) throw new RangeError(`resonance.feedback must be in [0, 1), got ${feedback}`);
}

/**
 * {@link NETWORK_LINES} distinct primes spread geometrically around `mean` frames; the whole set
 * moves up where its shortest would be under {@link MIN_LINE_FRAMES} (a low rate), so that the
 * lines never bunch together.
 */
function lineLengths(mean: number): number[] {
  const [low, high] = LINE_SPREAD;
  const shortest = Math.max(MIN_LINE_FRAMES, mean * low);
  const lengths: number[] = [];
  for (let i = 0; i < NETWORK_LINES; i++) {
    let n = Math.round(shortest * (high / low) ** (i / (NETWORK_LINES - 1)));
    while (!isPrime(n) || lengths.includes(n)) n++;
    lengths.push(n);
  }
  return lengths;
}

function isPrime(n: number): boolean {
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return n >= 2;
}

/** Uniform noise in [−1, 1) from Marsaglia's xorshift32 (a tiny, fast, seedable generator). */
function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9; // zero is xorshift's one fixed point
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 31 - 1;
  };
}

/**
 * Channel `channel`'s early reflections and echoes. Reflections at t = span·√((i + u)/count):
 * their density grows with time, as image sources of a room multiply; amplitudes follow the
 * design's decay with a random sign and spread, scaled to the design's energy.
 */
function earlyTaps(design: ReverbNetworkDesign, sampleRate: number, preDelayFrames: number, channel: number): { frame: number; gain: number }[] {
  const random = xorshift32(design.seed + channel);
  const taps: { frame: number; gain: number }[] = [];
  const early = design.early;
  if (early) {
    const reflections = Array.from({ length: early.count }, (_, i) => {
      const time = early.spanSeconds * Math.sqrt((i + (random() + 1) / 2) / early.count);
      return { time, amplitude: 10 ** ((-3 * time) / design.decaySeconds) * (0.75 + random() / 4) * Math.sign(random() || 1) };
    });
    const scale = Math.sqrt(early.level / reflections.reduce((sum, r) => sum + r.amplitude ** 2, 0));
    for (const r of reflections) taps.push({ frame: preDelayFrames + Math.round(r.time * sampleRate), gain: r.amplitude * scale });
  }
  for (const echo of design.echoes ?? []) taps.push({ frame: preDelayFrames + Math.round((echo.delaySeconds[channel % 2] ?? 0) * sampleRate), gain: Math.sqrt(echo.level) });
  return taps;
}

/**
 * Energy that K parallel combs of loop gain g, summed, give a unit impulse: the K direct paths add
 * up in phase (K²), the echoes (g^2n each) of incommensurate loops almost never coincide.
 */
function combEnergy(count: number, feedback: number): number {
  return count * count + (count * feedback ** 2) / (1 - feedback ** 2);
}

/** Complex response of a one-pole low-pass y = x + p·(y₋₁ − x) at ω rad/sample: (1 − p)/(1 − p·e^−iω). */
function onePole(p: number, omega: number): [re: number, im: number] {
  const re = 1 - p * Math.cos(omega);
  const im = p * Math.sin(omega);
  const norm = (1 - p) / (re * re + im * im);
  return [norm * re, -norm * im];
}

type NetworkFilters = Pick<ReverbProcessorOptions, 'pinkPoles' | 'pinkWeights' | 'pinkDirect' | 'lowGains' | 'midGains' | 'highGains' | 'lowPole' | 'highPole'>;

/**
 * The late tail's energy for a unit impulse, before the input gain, averaged over frequency
 * (Parseval). The Hadamard mixing is lossless, so at a frequency where the lines pass on a mean
 * energy ḡ² per pass, the energy a unit impulse leaves in all the lines' outputs together is
 * N·|pink|² / (1 − ḡ²) (N the lines it enters), and an output that reads them through ±1 gains sums
 * the lines' uncorrelated energies.
 */
function tailEnergy(f: NetworkFilters): number {
  let sum = 0;
  for (let j = 0; j < ENERGY_GRID; j++) {
    const omega = (Math.PI * (j + 0.5)) / ENERGY_GRID;
    let pinkRe = f.pinkDirect;
    let pinkIm = 0;
    f.pinkPoles.forEach((p, k) => {
      const [re, im] = onePole(p, omega);
      pinkRe += f.pinkWeights[k]! * re;
      pinkIm += f.pinkWeights[k]! * im;
    });
    const [lowRe, lowIm] = onePole(f.lowPole, omega);
    const [highRe, highIm] = onePole(f.highPole, omega);
    let meanGain2 = 0;
    for (let i = 0; i < NETWORK_LINES; i++) {
      const mid = f.midGains[i]!;
      const dLow = f.lowGains[i]! - mid;
      const dHigh = f.highGains[i]! - mid;
      const re = mid + dLow * lowRe + dHigh * (1 - highRe);
      const im = dLow * lowIm - dHigh * highIm;
      meanGain2 += (re * re + im * im) / NETWORK_LINES;
    }
    sum += (NETWORK_LINES * (pinkRe * pinkRe + pinkIm * pinkIm)) / (1 - meanGain2);
  }
  return sum / ENERGY_GRID;
}
