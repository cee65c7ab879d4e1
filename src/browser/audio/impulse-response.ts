/**
 * Generated reverb impulse responses for `audio-reverb-type` (spec §1): pure maths on Float32Array,
 * no Web Audio, so it is tested in Node and fills a ConvolverNode in the page (reverb.ts).
 *
 * One channel of a response, all times after the pre-delay (which is a DelayNode, not zeros here:
 * a convolver's work grows with the response's length, silence included):
 *
 *   late tail   Σ over octave bands of independent band-passed noise, equal power per band
 *               (pink), × exp decay at that band's RT60 (highs die first: wall and air
 *               absorption), faded in over `diffusionSeconds` while the echo density builds up
 *   + early     sparse single-sample reflections, denser towards the end of their span
 *   + echoes    discrete repeats of the voice (slapback)
 *   → combs     optional parallel feedback combs: the resonant ringing of a metal body
 *   → energy    normalised to 1, so that a design's wet level alone sets the wet-to-dry ratio
 *
 * Every channel draws from its own seeded generator: the channels are decorrelated (width) and
 * the same design always gives the same response.
 */

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

/** Parallel feedback combs run over the whole response. */
export interface Resonance {
  /** Loop delays; incommensurate values ring like a metal body rather than a pitched tube. */
  readonly delaysSeconds: readonly number[];
  /** Loop gain, below 1; peak-to-notch ratio of each comb is (1 + g) / (1 − g). */
  readonly feedback: number;
}

/** What shapes a response; a reverb design (reverb.ts) extends it. */
export interface ImpulseResponseDesign {
  /** RT60 at mid frequencies (the 500 Hz and 1 kHz octaves, ISO 3382-1 T_mid). */
  readonly decaySeconds: number;
  /** RT60 of the 125 Hz octave relative to mid (concert halls: 1.1–1.25). */
  readonly bassRatio: number;
  /** RT60 of the 8 kHz octave relative to mid (air absorption: well below 1 in a real room). */
  readonly trebleRatio: number;
  /** Build-up time of the late tail's echo density. */
  readonly diffusionSeconds: number;
  readonly early?: EarlyReflections | undefined;
  readonly echoes?: readonly Echo[] | undefined;
  readonly resonance?: Resonance | undefined;
  /** Seed of the noise; channel c uses seed + c. */
  readonly seed: number;
}

/** Octave-band centres of the decay model. */
const BAND_CENTRES_HZ = [125, 250, 500, 1000, 2000, 4000, 8000, 16000] as const;
/**
 * Band edges are only placed below this fraction of the sample rate: a biquad's response warps
 * near Nyquist, and the top band simply runs up to it.
 */
const HIGHEST_EDGE_OF_RATE = 0.45;
/**
 * The response ends where its slowest band has fallen this far. With the wet level below the dry
 * and a microphone's own noise around −60 dBFS, the rest would cost convolver time for nothing.
 */
const TAIL_DEPTH_DB = 50;
/** The last part of the response fades to zero, so that the cut never clicks. */
const FADE_OUT_SECONDS = 0.05;
/** Q of a second-order Butterworth section. */
const BUTTERWORTH_Q = Math.SQRT1_2;

/** RT60 of the octave band centred on `frequency`, per the design's bass and treble ratios. */
export function bandDecaySeconds(design: ImpulseResponseDesign, frequency: number): number {
  const octavesBelowMid = Math.log2(500 / frequency);
  const octavesAboveMid = Math.log2(frequency / 1000);
  // The ratios are given two octaves below (125 Hz) and three above (8 kHz) the mid range;
  // between, the RT60 moves geometrically, as measured halls do.
  if (octavesBelowMid > 0) return design.decaySeconds * design.bassRatio ** (octavesBelowMid / 2);
  if (octavesAboveMid > 0) return design.decaySeconds * design.trebleRatio ** (octavesAboveMid / 3);
  return design.decaySeconds;
}

/** Length in samples: until the slowest band is {@link TAIL_DEPTH_DB} down. */
export function impulseResponseLength(design: ImpulseResponseDesign, sampleRate: number): number {
  const slowest = Math.max(...BAND_CENTRES_HZ.map((f) => bandDecaySeconds(design, f)));
  return Math.ceil(((slowest * TAIL_DEPTH_DB) / 60) * sampleRate);
}

/**
 * The response, one Float32Array per channel, each of unit energy.
 * @throws RangeError for a sample rate or design value outside what the model means.
 */
export function generateImpulseResponse(design: ImpulseResponseDesign, sampleRate: number, channels = 2): Float32Array<ArrayBuffer>[] {
  checkDesign(design);
  if (!(sampleRate >= 8000 && sampleRate <= 384_000)) throw new RangeError(`sampleRate must be 8000–384000 Hz, got ${sampleRate}`);
  if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`channels must be a positive integer, got ${channels}`);
  const length = impulseResponseLength(design, sampleRate);
  return Array.from({ length: channels }, (_, c) => generateChannel(design, sampleRate, length, c));
}

function checkDesign(d: ImpulseResponseDesign): void {
  const positive = { decaySeconds: d.decaySeconds, bassRatio: d.bassRatio, trebleRatio: d.trebleRatio, diffusionSeconds: d.diffusionSeconds };
  for (const [name, value] of Object.entries(positive)) {
    if (!(value > 0 && Number.isFinite(value))) throw new RangeError(`${name} must be a positive number, got ${value}`);
  }
  const feedback = d.resonance?.feedback ?? 0;
  if (!(feedback >= 0 && feedback < 1)) throw new RangeError(`resonance.feedback must be in [0, 1), got ${feedback}`);
}

function generateChannel(design: ImpulseResponseDesign, sampleRate: number, length: number, channel: number): Float32Array<ArrayBuffer> {
  const random = xorshift32(design.seed + channel);
  const out = lateTail(design, sampleRate, length, random);
  scaleToEnergy(out, 1);
  if (design.early) addEarlyReflections(out, design.early, design.decaySeconds, sampleRate, random);
  for (const echo of design.echoes ?? []) addTap(out, (echo.delaySeconds[channel % 2] ?? 0) * sampleRate, Math.sqrt(echo.level));
  const shaped = design.resonance ? resonate(out, design.resonance, sampleRate) : out;
  fadeOut(shaped, sampleRate);
  scaleToEnergy(shaped, 1);
  return shaped;
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

function lateTail(design: ImpulseResponseDesign, sampleRate: number, length: number, random: () => number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(length);
  const scratch = new Float32Array(length);
  const edges = BAND_CENTRES_HZ.slice(0, -1)
    .map((centre) => centre * Math.SQRT2)
    .filter((edge) => edge < HIGHEST_EDGE_OF_RATE * sampleRate);
  for (let k = 0; k <= edges.length; k++) {
    const decaySeconds = bandDecaySeconds(design, BAND_CENTRES_HZ[k]!);
    // A band ends where it has fallen as far as the whole response has at its end: the damped
    // highs cost a fraction of the work.
    const band = scratch.subarray(0, Math.min(length, Math.ceil(((decaySeconds * TAIL_DEPTH_DB) / 60) * sampleRate)));
    for (let n = 0; n < band.length; n++) band[n] = random();
    const low = edges[k - 1];
    const high = edges[k];
    if (low !== undefined) biquad(band, highPass(low, sampleRate));
    if (high !== undefined) biquad(band, lowPass(high, sampleRate));
    // The noises are independent and each Butterworth pair is power-complementary at its edge,
    // so band powers add. Each band gets the same power (pink, −3 dB per octave): the diffuse
    // field a voice excites, whose spectrum falls above a few hundred hertz; white noise would
    // put most of the energy in the top octaves, which hiss and die first.
    const width = (high ?? sampleRate / 2) - (low ?? 0);
    const level = Math.sqrt(BAND_CENTRES_HZ[0] / width);
    const perSample = 10 ** (-3 / (decaySeconds * sampleRate)); // −60 dB at RT60
    let envelope = level;
    for (let n = 0; n < band.length; n++, envelope *= perSample) out[n]! += band[n]! * envelope;
  }
  const buildUp = design.diffusionSeconds * sampleRate;
  for (let n = 0; n < length; n++) out[n]! *= 1 - Math.exp(-n / buildUp);
  return out;
}

/**
 * Reflections at t = span·√((i + u)/count): their density grows with time, as image sources
 * of a room multiply; amplitudes follow the design's decay with a random sign and spread.
 */
function addEarlyReflections(out: Float32Array, early: EarlyReflections, decaySeconds: number, sampleRate: number, random: () => number): void {
  const taps = Array.from({ length: early.count }, (_, i) => {
    const time = early.spanSeconds * Math.sqrt((i + (random() + 1) / 2) / early.count);
    const amplitude = 10 ** ((-3 * time) / decaySeconds) * (0.75 + random() / 4) * Math.sign(random() || 1);
    return { position: time * sampleRate, amplitude };
  });
  const energy = taps.reduce((sum, t) => sum + t.amplitude ** 2, 0);
  const scale = Math.sqrt(early.level / energy);
  for (const t of taps) addTap(out, t.position, t.amplitude * scale);
}

function addTap(out: Float32Array, position: number, amplitude: number): void {
  const n = Math.round(position);
  if (n >= 0 && n < out.length) out[n]! += amplitude;
}

/** Parallel feedback combs y[n] = x[n] + g·y[n − D], averaged. */
function resonate(input: Float32Array, resonance: Resonance, sampleRate: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(input.length);
  for (const seconds of resonance.delaysSeconds) {
    const delay = Math.max(1, Math.round(seconds * sampleRate));
    const comb = new Float32Array(input.length);
    for (let n = 0; n < input.length; n++) comb[n] = input[n]! + (n >= delay ? resonance.feedback * comb[n - delay]! : 0);
    for (let n = 0; n < input.length; n++) out[n]! += comb[n]! / resonance.delaysSeconds.length;
  }
  return out;
}

function fadeOut(out: Float32Array, sampleRate: number): void {
  const fade = Math.min(out.length, Math.round(FADE_OUT_SECONDS * sampleRate));
  for (let i = 0; i < fade; i++) out[out.length - 1 - i]! *= 0.5 - 0.5 * Math.cos((Math.PI * i) / fade);
}

function scaleToEnergy(out: Float32Array, energy: number): void {
  let sum = 0;
  for (const v of out) sum += v * v;
  const scale = sum > 0 ? Math.sqrt(energy / sum) : 0;
  for (let n = 0; n < out.length; n++) out[n]! *= scale;
}

/** Normalised biquad coefficients (b0, b1, b2, a1, a2). */
type Coefficients = readonly [number, number, number, number, number];

/** Butterworth low-pass, from the RBJ Audio EQ Cookbook. */
function lowPass(frequency: number, sampleRate: number): Coefficients {
  const w = (2 * Math.PI * frequency) / sampleRate;
  const alpha = Math.sin(w) / (2 * BUTTERWORTH_Q);
  const a0 = 1 + alpha;
  const c = Math.cos(w);
  return [(1 - c) / 2 / a0, (1 - c) / a0, (1 - c) / 2 / a0, (-2 * c) / a0, (1 - alpha) / a0];
}

/** Butterworth high-pass, from the RBJ Audio EQ Cookbook. */
function highPass(frequency: number, sampleRate: number): Coefficients {
  const w = (2 * Math.PI * frequency) / sampleRate;
  const alpha = Math.sin(w) / (2 * BUTTERWORTH_Q);
  const a0 = 1 + alpha;
  const c = Math.cos(w);
  return [(1 + c) / 2 / a0, -(1 + c) / a0, (1 + c) / 2 / a0, (-2 * c) / a0, (1 - alpha) / a0];
}

/** Filters in place (transposed direct form II). */
function biquad(x: Float32Array, [b0, b1, b2, a1, a2]: Coefficients): void {
  let s1 = 0;
  let s2 = 0;
  for (let n = 0; n < x.length; n++) {
    const input = x[n]!;
    const y = b0 * input + s1;
    s1 = b1 * input - a1 * y + s2;
    s2 = b2 * input - a2 * y;
    x[n] = y;
  }
}
