/**
 * Source of the voice changer's AudioWorklet processor (spec §1 `voice-changer-type`), as a
 * string loaded through a Blob URL like the PCM tap (media/pcm-tap-worklet.ts): the package stays
 * one file with no asset to serve.
 *
 * The processor shifts pitch and formants separately with time-domain pitch-synchronous
 * overlap-add (TD-PSOLA):
 *
 * - **Analysis.** A YIN pitch detector (de Cheveigné & Kawahara 2002: cumulative-mean-normalised
 *   difference, absolute threshold, parabolic interpolation) runs every 512 frames on the channel
 *   mix, low-passed and decimated to about 8 kHz so that it costs little. It gives the input
 *   period P, or "unvoiced". Analysis marks are laid about P apart along the input, each on its
 *   cycle's energy peak (the glottal excitation, where a cycle's response starts), so every grain
 *   is centred on the same part of the waveform's cycle.
 * - **Synthesis.** Grain centres are laid Ps = P / pitchRatio apart along the output (or a fixed
 *   period for a monotone voice); each takes the analysis mark nearest to (centre − delay). The
 *   output is periodic in Ps, so its pitch is the input's times pitchRatio.
 * - **Formants.** A grain is two input periods of the input under a Hann window, so it holds one
 *   cycle's response of the vocal tract: its spectrum is the envelope, not the input's harmonics.
 *   It is read at formantRatio input frames per output frame, which squeezes or stretches that
 *   envelope by formantRatio while the grain spacing alone sets the pitch. Each grain is scaled
 *   by spacing ÷ half-length, so that the overlap-add keeps the level whatever the ratios.
 * - **Unvoiced input** (noise, silence) uses short grains (5 ms period, overlapping by half)
 *   taken exactly at (centre − delay): no pitch to keep in phase, and the latency stays exact at
 *   onsets.
 *
 * Latency: a grain starts half its length h = P / formantRatio before its centre and reads input
 * at mark + τ·formantRatio for offsets τ from its centre. Its mark is found, when it starts, in
 * input up to then, so every read stays behind the newest input frame whatever the delay; the
 * delay only decides whether the peak nearest centre − delay is already there to be found (it
 * is when delay ≥ 3P/4 + h: voice-changer.ts `shifterDelayFrames`), which keeps the grains at
 * the designed latency.
 */

/** Name under which the processor registers. */
export const VOICE_SHIFTER_PROCESSOR = 'live-pusher-voice-shifter';

/** processorOptions of the shifter node. */
export interface VoiceShifterOptions {
  pitchRatio: number;
  formantRatio: number;
  /** Output pitch fixed at this frequency (a robotic monotone), or 0 to follow the input. */
  monotoneHz: number;
  /** Slow pitch wobble: rate (Hz) and depth (fraction of the pitch). 0 depth for none. */
  wobbleHz: number;
  wobbleDepth: number;
  /** Lowest and highest pitch the detector looks for, Hz. */
  minHz: number;
  maxHz: number;
  /** Period (s) of the short grains used where the input has no pitch. */
  unvoicedSeconds: number;
  /** Fixed delay between input and output, frames: the effect's latency. */
  delayFrames: number;
  /** Stages run here after the shift, in order, on each channel (voice-changer.ts VoiceStage). */
  stages: WorkletStage[];
}

/** Dry plus copies on slowly swept delays (chorus): a widened, shimmering voice. */
export interface ChorusStage {
  readonly kind: 'chorus';
  readonly voices: readonly { readonly seconds: number; readonly sweepSeconds: number; readonly hz: number }[];
  readonly wet: number;
}

/** Dry plus damped feedback delays in parallel: a short, diffuse, airy tail. */
export interface DiffuseStage {
  readonly kind: 'diffuse';
  readonly seconds: readonly number[];
  readonly feedback: number;
  /** Corner of the Butterworth low-pass in each loop. */
  readonly dampingHz: number;
  readonly wet: number;
}

/**
 * The stages the processor runs itself: as native nodes they took a score of nodes and three
 * graph cycles, several times the shifter's own cost.
 */
export type WorkletStage = ChorusStage | DiffuseStage;

/** Messages to the processor: 'stop' ends it (process returns false) so the node can be collected. */
export type VoiceShifterControlMessage = { type: 'stop' };

export const VOICE_SHIFTER_WORKLET_SOURCE = `
// YIN's absolute threshold: the first dip of the normalised difference below it is the period.
const YIN_THRESHOLD = 0.15;
// Without a dip below YIN_THRESHOLD, the deepest dip still counts if below this (YIN's fallback,
// bounded: breathy or reverberant voice is weakly periodic, noise is not periodic at all).
const WEAK_THRESHOLD = 0.35;
// Frames between pitch analyses (about 10 ms at 48 kHz: a syllable's pitch glides slower).
const ANALYSIS_HOP = 512;
// The detector works at about this rate at most (48 kHz is decimated by 6, 16 kHz by 2): the
// difference function costs the square of the longest lag, and 8 kHz still places a 900 Hz
// period within a small fraction of a sample after interpolation.
const DETECTOR_RATE = 8000;
// Low-pass before decimation, Hz: removes what would alias and tames formant peaks.
const DETECTOR_LOWPASS_HZ = 1000;
// Below this mean square (about -70 dBFS) the input counts as silence.
const SILENCE_POWER = 1e-7;

class PitchDetector {
  constructor(rate, minHz, maxHz, unvoicedPeriod) {
    this.step = Math.max(1, Math.floor(rate / DETECTOR_RATE));
    const low = rate / this.step;
    this.minLag = Math.max(2, Math.floor(low / maxHz));
    this.maxLag = Math.ceil(low / minHz);
    this.length = 2 * this.maxLag;
    this.history = new Float32Array(this.length);
    this.linear = new Float32Array(this.length);
    this.diff = new Float32Array(this.maxLag + 1);
    this.written = 0;
    this.phase = 0;
    this.pole = Math.exp((-2 * Math.PI * DETECTOR_LOWPASS_HZ) / rate);
    this.lp1 = 0;
    this.lp2 = 0;
    this.sinceAnalysis = 0;
    this.unvoicedPeriod = unvoicedPeriod;
    this.period = unvoicedPeriod;
    this.voiced = false;
  }

  push(x) {
    const a = this.pole;
    this.lp1 = x + a * (this.lp1 - x);
    this.lp2 = this.lp1 + a * (this.lp2 - this.lp1);
    if (++this.phase < this.step) return;
    this.phase = 0;
    this.history[this.written] = this.lp2;
    this.written = (this.written + 1) % this.length;
  }

  tick(frames) {
    this.sinceAnalysis += frames;
    if (this.sinceAnalysis < ANALYSIS_HOP) return;
    this.sinceAnalysis = 0;
    const lag = this.analyze();
    this.voiced = lag > 0;
    this.period = this.voiced ? lag * this.step : this.unvoicedPeriod;
  }

  // The period in detector samples, or 0 when unvoiced.
  analyze() {
    const s = this.linear;
    const n = this.length;
    for (let i = 0; i < n; i++) s[i] = this.history[(this.written + i) % n];
    const window = this.maxLag;
    let power = 0;
    for (let i = 0; i < n; i++) power += s[i] * s[i];
    if (power < SILENCE_POWER * n) return 0;
    const d = this.diff;
    let sum = 0;
    for (let lag = 1; lag <= this.maxLag; lag++) {
      let acc = 0;
      for (let i = 0; i < window; i++) {
        const delta = s[i] - s[i + lag];
        acc += delta * delta;
      }
      sum += acc;
      d[lag] = sum > 0 ? (acc * lag) / sum : 1;
    }
    let lag = this.minLag;
    while (lag < this.maxLag && d[lag] >= YIN_THRESHOLD) lag++;
    if (lag < this.maxLag) {
      while (lag + 1 < this.maxLag && d[lag + 1] < d[lag]) lag++;
    } else {
      lag = this.deepestDip();
      if (d[lag] >= WEAK_THRESHOLD) return 0;
    }
    const before = d[lag - 1], at = d[lag], after = d[lag + 1];
    const curve = before - 2 * at + after;
    return curve > 0 ? lag + (0.5 * (before - after)) / curve : lag;
  }

  deepestDip() {
    let best = this.minLag;
    for (let lag = this.minLag + 1; lag < this.maxLag; lag++) if (this.diff[lag] < this.diff[best]) best = lag;
    return best;
  }
}

// 4-point cubic Hermite interpolation at a fractional position of a power-of-two ring.
function readRing(ring, mask, position) {
  const i = Math.floor(position);
  const f = position - i;
  const y0 = ring[(i - 1) & mask], y1 = ring[i & mask], y2 = ring[(i + 1) & mask], y3 = ring[(i + 2) & mask];
  const c1 = 0.5 * (y2 - y0);
  const c2 = y0 - 2.5 * y1 + 2 * y2 - 0.5 * y3;
  const c3 = 0.5 * (y3 - y0) + 1.5 * (y1 - y2);
  return ((c3 * f + c2) * f + c1) * f + y1;
}

// The delay of a chorus voice moves this little within a render quantum, so it is computed at the
// quantum's ends and interpolated linearly between (a sine per voice and quantum, not per frame).
class Chorus {
  constructor(stage) {
    this.voices = stage.voices.map((v) => ({ frames: v.seconds * sampleRate, sweep: v.sweepSeconds * sampleRate, step: (2 * Math.PI * v.hz) / sampleRate, phase: 0 }));
    this.wet = stage.wet;
    let size = 256;
    while (size < Math.max(...this.voices.map((v) => v.frames + v.sweep)) + 256) size *= 2;
    this.ring = new Float32Array(size);
    this.mask = size - 1;
    this.frame = 0;
  }

  // output(t) = input(t) + wet · Σ input(t − delay(t)), delay = seconds + sweep · sin(2π·hz·t), as
  // a DelayNode whose delayTime an oscillator sweeps.
  process(block) {
    const n = block.length, ring = this.ring, mask = this.mask;
    for (let i = 0; i < n; i++) ring[(this.frame + i) & mask] = block[i];
    for (const v of this.voices) {
      const from = v.frames + v.sweep * Math.sin(v.phase);
      v.phase = (v.phase + v.step * n) % (2 * Math.PI);
      const slope = (v.frames + v.sweep * Math.sin(v.phase) - from) / n;
      for (let i = 0; i < n; i++) {
        const position = this.frame + i - (from + slope * i);
        const j = Math.floor(position), f = position - j;
        const a = ring[j & mask];
        block[i] += this.wet * (a + f * (ring[(j + 1) & mask] - a));
      }
    }
    this.frame += n;
  }
}

// Parallel feedback delays, each through a Butterworth low-pass in its loop.
class Diffuse {
  constructor(stage) {
    this.lengths = stage.seconds.map((s) => Math.max(1, Math.round(s * sampleRate)));
    this.lines = this.lengths.map((n) => new Float32Array(n));
    this.positions = new Int32Array(this.lines.length);
    this.state = new Float64Array(2 * this.lines.length);
    this.feedback = stage.feedback;
    this.wet = stage.wet;
    // RBJ Audio EQ Cookbook low-pass, Q = 1/√2 (BiquadFilterNode's lowpass at Q −3.01 dB).
    const w = (2 * Math.PI * stage.dampingHz) / sampleRate;
    const alpha = Math.sin(w) / Math.SQRT2;
    const a0 = 1 + alpha, c = Math.cos(w);
    this.b0 = (1 - c) / 2 / a0;
    this.b1 = (1 - c) / a0;
    this.a1 = (-2 * c) / a0;
    this.a2 = (1 - alpha) / a0;
  }

  // output = input + wet · Σ loop outputs; each loop: delay ◄─ input + feedback · low-pass(delay).
  process(block) {
    const n = block.length, state = this.state;
    const b0 = this.b0, b1 = this.b1, a1 = this.a1, a2 = this.a2, feedback = this.feedback;
    for (let i = 0; i < n; i++) {
      const x = block[i];
      let sum = 0;
      for (let k = 0; k < this.lines.length; k++) {
        const line = this.lines[k];
        const at = this.positions[k];
        const delayed = line[at];
        // Transposed direct form II; b2 = b0 for a low-pass.
        const y = b0 * delayed + state[2 * k];
        state[2 * k] = b1 * delayed - a1 * y + state[2 * k + 1];
        state[2 * k + 1] = b0 * delayed - a2 * y;
        line[at] = x + feedback * y;
        this.positions[k] = at + 1 === this.lengths[k] ? 0 : at + 1;
        sum += y;
      }
      block[i] = x + this.wet * sum;
    }
  }
}

function createStage(stage) {
  return stage.kind === 'chorus' ? new Chorus(stage) : new Diffuse(stage);
}

// Time constant of the energy in which cycle peaks are found: longer than a formant's ringing
// period (so one peak per cycle), shorter than a cycle.
const ENERGY_SMOOTHING_S = 0.001;
// Grains sounding at once: spacing and length keep it to 2–4; room to spare.
const MAX_GRAINS = 32;
// The Hann window 0.5 + 0.5·cos(π·x) over x in [0, 1], tabulated (a cosine per grain and frame
// was the processor's largest cost) and read with linear interpolation: the error, under 1e-6,
// is far below the 16-bit floor.
const WINDOW_POINTS = 4096;
const HANN = new Float64Array(WINDOW_POINTS + 2);
for (let i = 0; i <= WINDOW_POINTS + 1; i++) HANN[i] = 0.5 + 0.5 * Math.cos((Math.PI * Math.min(i, WINDOW_POINTS)) / WINDOW_POINTS);

// The window at |tau| / half = x, for 0 <= x < 1.
function hann(x) {
  const position = x * WINDOW_POINTS;
  const i = position | 0;
  return HANN[i] + (position - i) * (HANN[i + 1] - HANN[i]);
}

class VoiceShifter extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = options.processorOptions;
    this.pitchRatio = o.pitchRatio;
    this.formantRatio = o.formantRatio;
    this.monotonePeriod = o.monotoneHz > 0 ? sampleRate / o.monotoneHz : 0;
    this.wobbleDepth = o.wobbleDepth;
    this.wobbleStep = (2 * Math.PI * o.wobbleHz) / sampleRate;
    this.wobblePhase = 0;
    this.delay = o.delayFrames;
    this.detector = new PitchDetector(sampleRate, o.minHz, o.maxHz, o.unvoicedSeconds * sampleRate);
    let size = 1;
    while (size < sampleRate / 2) size *= 2;
    this.mask = size - 1;
    this.size = size;
    this.rings = [];
    // Per channel, its own instance of each stage.
    this.stageOptions = o.stages;
    this.stages = [];
    this.frame = 0;
    // Analysis marks sit on the cycles' energy peaks (the excitation), found in a 1 ms smoothed
    // energy of the channel mix; 'locked' once the chain of marks follows them.
    this.energy = new Float32Array(size);
    this.energyLevel = 0;
    this.energyPole = Math.exp(-1 / (ENERGY_SMOOTHING_S * sampleRate));
    this.mark = 0;
    this.locked = false;
    // Sounding grains: centre (output frame), source (input frame under the centre), half length
    // (output frames) and gain; the next grain to start.
    this.centre = new Float64Array(MAX_GRAINS);
    this.source = new Float64Array(MAX_GRAINS);
    this.half = new Float64Array(MAX_GRAINS);
    this.gain = new Float64Array(MAX_GRAINS);
    this.count = 0;
    this.nextCentre = 0;
    this.nextHalf = 0;
    this.nextGain = 0;
    this.stopped = false;
    this.port.onmessage = (event) => {
      if (event.data && event.data.type === 'stop') this.stopped = true;
    };
  }

  // The grain spacing. Unvoiced sounds keep their short grains even in a monotone: noise has no
  // pitch to hold, and a 10 ms grid would only buzz it and blur onsets.
  outputPeriod() {
    if (this.monotonePeriod > 0 && this.detector.voiced) return this.monotonePeriod;
    const wobble = 1 + this.wobbleDepth * Math.sin(this.wobblePhase);
    return this.detector.period / (this.pitchRatio * wobble);
  }

  // Starts every grain due by output frame t, each at the analysis mark nearest to its centre
  // minus the delay (unvoiced: exactly there), and plans the one after it.
  schedule(t) {
    while (this.nextCentre - this.nextHalf <= t) {
      this.placeMark(this.nextCentre - this.delay, t);
      if (this.count < MAX_GRAINS) {
        const g = this.count++;
        this.centre[g] = this.nextCentre;
        // Reads reach mark + h·|formantRatio − 1| past the centre at most; a mark found before t
        // is always behind that, this bounds the unvoiced and period-jump cases too.
        this.source[g] = Math.min(this.mark, this.nextCentre - 2 - this.nextHalf * Math.abs(1 - this.formantRatio));
        this.half[g] = this.nextHalf;
        this.gain[g] = this.nextGain;
      }
      const spacing = this.outputPeriod();
      this.nextCentre += spacing;
      // Voiced: two input periods long, whatever the spacing, so that the grain holds one
      // cycle's response and the spectral envelope (formants) is kept apart from the pitch; Hann
      // windows of half length h placed every s sum to h/s on average, which the gain undoes.
      // Unvoiced: noise has no harmonics to keep apart, and half length = spacing sums to
      // exactly 1 (a steady hiss, not one buzzing at the grain rate).
      this.nextHalf = this.detector.voiced ? this.detector.period / this.formantRatio : spacing;
      this.nextGain = spacing / this.nextHalf;
    }
  }

  // Moves the mark to the cycle peak nearest to target: one period on at a time, each time to
  // the energy peak within a quarter period of where the period predicts, so that the chain
  // follows the excitation without drifting. Only input older than output frame t is searched,
  // which keeps every grain's reads behind the newest input (module comment, Latency).
  placeMark(target, t) {
    const period = this.detector.period;
    if (!this.detector.voiced) {
      this.mark = target;
      this.locked = false;
      return;
    }
    if (!this.locked) {
      this.mark = this.energyPeak(target, period / 2, t);
      this.locked = true;
    }
    while (this.mark + period / 2 < target) {
      const next = this.energyPeak(this.mark + period, period / 4, t);
      if (next <= this.mark) break;
      this.mark = next;
    }
  }

  // The position of the largest smoothed energy within radius of centre (and before t - 3),
  // refined by a parabola through its neighbours.
  energyPeak(centre, radius, t) {
    const first = Math.ceil(centre - radius);
    const last = Math.min(Math.floor(centre + radius), t - 3);
    if (last < first) return last;
    const e = this.energy;
    const mask = this.mask;
    let best = first;
    for (let i = first + 1; i <= last; i++) if (e[i & mask] > e[best & mask]) best = i;
    const before = e[(best - 1) & mask], at = e[best & mask], after = e[(best + 1) & mask];
    const curve = before - 2 * at + after;
    return curve < 0 ? best + Math.max(-0.5, Math.min(0.5, (0.5 * (before - after)) / curve)) : best;
  }

  process(inputs, outputs) {
    if (this.stopped) return false;
    const output = outputs[0];
    const frames = output[0].length;
    while (this.rings.length < output.length) {
      this.rings.push(new Float32Array(this.size));
      this.stages.push(this.stageOptions.map(createStage));
    }
    this.write(inputs[0], frames);
    for (let c = 0; c < output.length; c++) output[c].fill(0);
    const mask = this.mask;
    const formant = this.formantRatio;
    for (let i = 0; i < frames; i++) {
      const t = this.frame + i;
      this.schedule(t);
      for (let g = 0; g < this.count; ) {
        const tau = t - this.centre[g];
        const half = this.half[g];
        if (tau >= half) {
          this.remove(g);
          continue;
        }
        const weight = this.gain[g] * hann(Math.abs(tau) / half);
        const position = this.source[g] + tau * formant;
        for (let c = 0; c < output.length; c++) output[c][i] += weight * readRing(this.rings[c], mask, position);
        g++;
      }
    }
    for (let c = 0; c < output.length; c++) for (const stage of this.stages[c]) stage.process(output[c]);
    this.frame += frames;
    this.wobblePhase = (this.wobblePhase + this.wobbleStep * frames) % (2 * Math.PI);
    return true;
  }

  remove(g) {
    const last = --this.count;
    this.centre[g] = this.centre[last];
    this.source[g] = this.source[last];
    this.half[g] = this.half[last];
    this.gain[g] = this.gain[last];
  }

  // Stores the block in the rings (every ring, so that a channel that comes back is not stale)
  // and feeds the channel mix to the detector.
  write(input, frames) {
    const mask = this.mask;
    for (let c = 0; c < this.rings.length; c++) {
      const ring = this.rings[c];
      const src = input[c];
      for (let i = 0; i < frames; i++) ring[(this.frame + i) & mask] = src ? src[i] : 0;
    }
    const scale = input.length > 0 ? 1 / input.length : 0;
    const pole = this.energyPole;
    for (let i = 0; i < frames; i++) {
      let mix = 0;
      for (let c = 0; c < input.length; c++) mix += input[c][i];
      mix *= scale;
      this.detector.push(mix);
      this.energyLevel = mix * mix + pole * (this.energyLevel - mix * mix);
      this.energy[(this.frame + i) & mask] = this.energyLevel;
    }
    this.detector.tick(frames);
  }
}
registerProcessor('${VOICE_SHIFTER_PROCESSOR}', VoiceShifter);
`;
