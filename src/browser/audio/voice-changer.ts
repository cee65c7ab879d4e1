/**
 * The voice changer (spec §1 `voice-changer-type`, issue 7): one {@link AudioEffect} stage per
 * type, for the capture's effect seam between the mic gain and the mix bus.
 *
 *   input ─► [pitch/formant shifter: AudioWorklet, voice-changer-worklet.ts] ─► stages … ─► output
 *
 * The shifter (TD-PSOLA) moves the pitch by `pitchRatio` and the formants by `formantRatio`
 * independently; the stages after it (filters, a waveshaper, amplitude/ring modulation, a comb,
 * chorus, a short diffuse tail) give each type the character its name asks for. Chorus and diffuse
 * tail run inside the worklet after the shift (as native nodes they cost several times the shifter);
 * the others are native nodes. Types without a pitch or formant change have no worklet, hence no
 * latency; the others add 22–31 ms (at 48 kHz), the look-ahead a grain of two periods of the
 * lowest voice needs.
 *
 * The worklet module is added once per context (worklet-module.ts), so replacing one voice
 * changer with another while pushing only builds nodes.
 */
import type { AudioEffect } from '../media/audio-capture.js';
import {
  VOICE_SHIFTER_PROCESSOR,
  VOICE_SHIFTER_WORKLET_SOURCE,
  type VoiceShifterControlMessage,
  type VoiceShifterOptions,
  type WorkletStage,
} from './voice-changer-worklet.js';
import { loadWorkletModule } from './worklet-module.js';

/** spec §1 voice-changer-type: 0 is off (no effect at all) and 5 is not used. */
export type VoiceChangerType = 1 | 2 | 3 | 4 | 6 | 7 | 8 | 9 | 10 | 11;

/** A processing stage after the shifter. */
export type VoiceStage =
  /**
   * A BiquadFilterNode. `q` is its Q: for lowpass and highpass the spec reads it as the resonance
   * in dB (Web Audio §1.13.6), for the others as the usual quality factor.
   */
  | { readonly kind: 'filter'; readonly type: BiquadFilterType; readonly frequency: number; readonly q?: number; readonly gainDb?: number }
  /**
   * A tanh waveshaper of this drive; the curve is scaled by 1/√drive so that a voice at speaking
   * level comes out near its level instead of at full scale.
   */
  | { readonly kind: 'drive'; readonly drive: number }
  /**
   * Gain swept by an oscillator between 1 − depth and 1: depth 1 is full tremolo, 2 is ring
   * modulation (the carrier's sign flips the voice).
   */
  | { readonly kind: 'modulate'; readonly wave: 'sine' | 'square'; readonly hz: number; readonly depth: number }
  /**
   * A metallic comb: the voice plus `taps` copies `seconds` apart at gains g, g², g³…, the
   * feed-forward expansion of a feedback comb (DelayNodes in a loop cannot be shorter than a
   * render quantum, 8 ms at 16 kHz, and the ring of a metal body is shorter than that).
   */
  | { readonly kind: 'comb'; readonly seconds: number; readonly gain: number; readonly taps: number }
  /**
   * A chorus or a diffuse tail, which the shifter's worklet runs right after the shift (they must
   * come first in `stages`; a design with one has the worklet even without a pitch change).
   */
  | WorkletStage;

/** What one voice changer type does. */
export interface VoiceChangerDesign {
  /** The spec's name of the type. */
  readonly name: string;
  /** Output pitch ÷ input pitch; 1 = no pitch shift. */
  readonly pitchRatio: number;
  /**
   * Output formant frequencies ÷ input ones (the spectral envelope: vocal-tract size); 1, the
   * default, keeps them where they were whatever the pitch does.
   */
  readonly formantRatio?: number;
  /** A robotic monotone: the output pitch is held at this frequency (pitchRatio is then 1). */
  readonly monotoneHz?: number;
  /** A slow pitch wobble around pitchRatio: rate (Hz) and depth (fraction of the pitch). */
  readonly wobble?: { readonly hz: number; readonly depth: number };
  /** Stages after the shifter, in order. */
  readonly stages: readonly VoiceStage[];
}

/** Q of a Butterworth low- or high-pass in the spec's dB reading: 20·log10(1/√2), no resonance. */
const BUTTERWORTH_DB = -3.01;

/**
 * The designs. Ratios in semitones: 2^(n/12). Adult voices sit around 100–220 Hz with formants
 * set by a 15–17 cm vocal tract; a child's tract is about a quarter to a third shorter (formants
 * up 25–35 %) and its pitch near 250–300 Hz, which is what types 1 and 2 aim at; 3, 7 and 8 go the
 * other way, with formants moved less than the pitch so that the voice stays intelligible.
 */
export const VOICE_CHANGER_DESIGNS: Readonly<Record<VoiceChangerType, VoiceChangerDesign>> = Object.freeze({
  1: {
    // +7 semitones and a child's short vocal tract; thin and bright.
    name: 'naughty child',
    pitchRatio: 1.5,
    formantRatio: 1.3,
    stages: [
      { kind: 'filter', type: 'highpass', frequency: 150, q: BUTTERWORTH_DB },
      { kind: 'filter', type: 'peaking', frequency: 3000, q: 1, gainDb: 3 },
    ],
  },
  2: {
    // +10 semitones with formants raised less than a child's: a high, sweet, airy voice.
    name: 'loli',
    pitchRatio: 1.78,
    formantRatio: 1.18,
    stages: [
      { kind: 'filter', type: 'highpass', frequency: 200, q: BUTTERWORTH_DB },
      { kind: 'filter', type: 'peaking', frequency: 4000, q: 0.8, gainDb: 4 },
    ],
  },
  3: {
    // −5 semitones, a longer vocal tract, warmth below 250 Hz and softer highs.
    name: 'uncle',
    pitchRatio: 0.75,
    formantRatio: 0.87,
    stages: [
      { kind: 'filter', type: 'lowshelf', frequency: 250, gainDb: 4 },
      { kind: 'filter', type: 'highshelf', frequency: 4000, gainDb: -3 },
    ],
  },
  4: {
    // Pitch kept; hard tanh distortion, scooped mids and a presence peak (a metal guitar
    // tone), and part ring modulation at 60 Hz for a clanging, metallic edge.
    name: 'heavy metal',
    pitchRatio: 1,
    stages: [
      { kind: 'filter', type: 'highpass', frequency: 150, q: BUTTERWORTH_DB },
      { kind: 'drive', drive: 8 },
      { kind: 'filter', type: 'peaking', frequency: 800, q: 0.8, gainDb: -6 },
      { kind: 'filter', type: 'peaking', frequency: 2500, q: 1.2, gainDb: 6 },
      { kind: 'modulate', wave: 'sine', hz: 60, depth: 1.4 },
    ],
  },
  6: {
    // +2 semitones with slightly longer formants (a mismatch no native voice has) and a slow
    // ±4 % wobble of the pitch at 2.2 Hz, like an unfamiliar intonation; nasal 1.2 kHz peak.
    name: 'foreigner',
    pitchRatio: 1.12,
    formantRatio: 0.92,
    wobble: { hz: 2.2, depth: 0.04 },
    stages: [{ kind: 'filter', type: 'peaking', frequency: 1200, q: 2, gainDb: 6 }],
  },
  7: {
    // −9 semitones and a large tract; grit from soft drive, a 28 Hz flutter for the growl,
    // chest boost and no air.
    name: 'trapped beast',
    pitchRatio: 0.6,
    formantRatio: 0.72,
    stages: [
      { kind: 'drive', drive: 3 },
      { kind: 'modulate', wave: 'sine', hz: 28, depth: 0.35 },
      { kind: 'filter', type: 'lowshelf', frequency: 150, gainDb: 4 },
      { kind: 'filter', type: 'lowpass', frequency: 2800, q: BUTTERWORTH_DB },
    ],
  },
  8: {
    // −4 semitones with formants a little raised (a big body, a small mouth), muffled highs.
    name: 'fat boy',
    pitchRatio: 0.8,
    formantRatio: 1.08,
    stages: [
      { kind: 'filter', type: 'lowshelf', frequency: 300, gainDb: 5 },
      { kind: 'filter', type: 'lowpass', frequency: 2400, q: BUTTERWORTH_DB },
    ],
  },
  9: {
    // Pitch kept; the voice chopped by a 55 Hz square (mains-like buzz), roughened, thinned.
    name: 'strong current',
    pitchRatio: 1,
    stages: [
      { kind: 'modulate', wave: 'square', hz: 55, depth: 0.8 },
      { kind: 'drive', drive: 2.5 },
      { kind: 'filter', type: 'highpass', frequency: 200, q: BUTTERWORTH_DB },
      { kind: 'filter', type: 'peaking', frequency: 1800, q: 1, gainDb: 4 },
    ],
  },
  10: {
    // A robot: every syllable on one 95 Hz pitch, formants a little lowered, through a 4 ms
    // metallic comb (resonances every 250 Hz).
    name: 'heavy machinery',
    pitchRatio: 1,
    formantRatio: 0.9,
    monotoneHz: 95,
    stages: [
      { kind: 'filter', type: 'highpass', frequency: 120, q: BUTTERWORTH_DB },
      { kind: 'comb', seconds: 0.004, gain: 0.6, taps: 4 },
      { kind: 'filter', type: 'peaking', frequency: 1500, q: 1, gainDb: 4 },
    ],
  },
  11: {
    // +3 semitones, lightly raised formants, a two-voice chorus and a short damped tail, air.
    name: 'ethereal',
    pitchRatio: 1.19,
    formantRatio: 1.12,
    stages: [
      {
        kind: 'chorus',
        voices: [
          { seconds: 0.017, sweepSeconds: 0.002, hz: 0.27 },
          { seconds: 0.023, sweepSeconds: 0.0025, hz: 0.41 },
        ],
        wet: 0.35,
      },
      { kind: 'diffuse', seconds: [0.041, 0.053, 0.067], feedback: 0.45, dampingHz: 5000, wet: 0.3 },
      { kind: 'filter', type: 'highshelf', frequency: 6000, gainDb: 3 },
    ],
  },
});

/** The detector's pitch range, Hz: from a low male voice to a child's shout. */
const MIN_PITCH_HZ = 70;
const MAX_PITCH_HZ = 900;
/** Grain period where the input has no pitch (worklet "Unvoiced input"). */
const UNVOICED_SECONDS = 0.005;
/** Frames of slack in the delay: the detector's lag rounding and the peak search's edge. */
const DELAY_MARGIN_FRAMES = 8;

/**
 * Builds the voice changer `type` in `context` (an AudioContext or an OfflineAudioContext, any
 * rate, mono or stereo: the output has the input's channels). Rejects with a RangeError for a type
 * that is not one of {@link VOICE_CHANGER_DESIGNS}, and with an Error when the types that need the
 * AudioWorklet cannot load it (a Content-Security-Policy without blob: in script-src).
 * `latencySeconds` is the delay it adds to the voice.
 */
export async function createVoiceChanger(context: BaseAudioContext, type: VoiceChangerType): Promise<AudioEffect & { latencySeconds: number }> {
  const design = designOf(type);
  const nodes = new NodeSet();
  const input = nodes.add(new GainNode(context));
  let last: AudioNode = input;
  let latencySeconds = 0;
  if (needsShifter(design)) {
    await loadWorkletModule(context, VOICE_SHIFTER_WORKLET_SOURCE, 'voice changer');
    const delayFrames = shifterDelayFrames(design, context.sampleRate);
    last = last.connect(nodes.addShifter(createShifter(context, design, delayFrames)));
    latencySeconds = delayFrames / context.sampleRate;
  }
  for (const stage of design.stages.slice(workletStages(design).length)) {
    const built = buildStage(context, stage, nodes);
    last.connect(built.input);
    last = built.output;
  }
  const output = nodes.add(new GainNode(context));
  last.connect(output);
  return {
    name: `voice-changer-type ${type} (${design.name})`,
    input,
    output,
    latencySeconds,
    dispose: () => nodes.dispose(),
  };
}

function designOf(type: VoiceChangerType): VoiceChangerDesign {
  if (!Number.isInteger(type) || !Object.hasOwn(VOICE_CHANGER_DESIGNS, type)) {
    throw new RangeError(
      `createVoiceChanger: type must be one of ${Object.keys(VOICE_CHANGER_DESIGNS).join(', ')} (spec §1 voice-changer-type; 0 is off, 5 is not used), got ${String(type)}`,
    );
  }
  return VOICE_CHANGER_DESIGNS[type];
}

function needsShifter(design: VoiceChangerDesign): boolean {
  return design.pitchRatio !== 1 || (design.formantRatio ?? 1) !== 1 || design.monotoneHz !== undefined || design.wobble !== undefined || workletStages(design).length > 0;
}

/** The leading stages that the worklet runs. */
function workletStages(design: VoiceChangerDesign): WorkletStage[] {
  const stages: WorkletStage[] = [];
  for (const stage of design.stages) {
    if (stage.kind !== 'chorus' && stage.kind !== 'diffuse') break;
    stages.push(stage);
  }
  return stages;
}

/**
 * The shifter's delay, frames. A grain starts h = P/formantRatio before its centre, and its mark
 * must then be found in the input already there: the cycle peak nearest centre − delay, searched
 * up to P/2 + P/4 past it, is there when the delay is at least 3P/4 + h, with P the detector's
 * longest period. (A shorter delay would be safe but would let grains of low voices lag by more
 * than it says.) The pitch ratio does not enter.
 */
function shifterDelayFrames(design: VoiceChangerDesign, sampleRate: number): number {
  const longestPeriod = sampleRate / MIN_PITCH_HZ;
  return Math.ceil(longestPeriod * (0.75 + 1 / (design.formantRatio ?? 1))) + DELAY_MARGIN_FRAMES;
}

function createShifter(context: BaseAudioContext, design: VoiceChangerDesign, delayFrames: number): AudioWorkletNode {
  const processorOptions: VoiceShifterOptions = {
    pitchRatio: design.pitchRatio,
    formantRatio: design.formantRatio ?? 1,
    monotoneHz: design.monotoneHz ?? 0,
    wobbleHz: design.wobble?.hz ?? 0,
    wobbleDepth: design.wobble?.depth ?? 0,
    minHz: MIN_PITCH_HZ,
    maxHz: MAX_PITCH_HZ,
    unvoicedSeconds: UNVOICED_SECONDS,
    delayFrames,
    stages: workletStages(design),
  };
  // One input, one output and channelCountMode 'max': the output follows the input's channel
  // count (Web Audio, AudioWorkletNodeOptions "Configuring channels"), so mono stays mono and
  // stereo stereo.
  return new AudioWorkletNode(context, VOICE_SHIFTER_PROCESSOR, { numberOfInputs: 1, numberOfOutputs: 1, channelCountMode: 'max', processorOptions });
}

/** A stage's ends. */
interface Built {
  input: AudioNode;
  output: AudioNode;
}

/** Every node of one voice changer, so that dispose can stop and disconnect them all. */
class NodeSet {
  private readonly nodes: AudioNode[] = [];
  private readonly oscillators: OscillatorNode[] = [];
  private readonly shifters: AudioWorkletNode[] = [];
  private disposed = false;

  add<T extends AudioNode>(node: T): T {
    this.nodes.push(node);
    return node;
  }

  addShifter(node: AudioWorkletNode): AudioWorkletNode {
    this.shifters.push(node);
    return this.add(node);
  }

  /** A started oscillator. */
  oscillator(context: BaseAudioContext, type: OscillatorType, frequency: number): OscillatorNode {
    const node = this.add(new OscillatorNode(context, { type, frequency }));
    node.start();
    this.oscillators.push(node);
    return node;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const node of this.oscillators) node.stop();
    for (const node of this.shifters) node.port.postMessage({ type: 'stop' } satisfies VoiceShifterControlMessage);
    for (const node of this.nodes) node.disconnect();
  }
}

function buildStage(context: BaseAudioContext, stage: VoiceStage, nodes: NodeSet): Built {
  switch (stage.kind) {
    case 'filter': {
      const filter = nodes.add(new BiquadFilterNode(context, { type: stage.type, frequency: stage.frequency, Q: stage.q ?? 1, gain: stage.gainDb ?? 0 }));
      return { input: filter, output: filter };
    }
    case 'drive': {
      // No oversampling: its filters delay the signal by an amount the browser does not report
      // (Chromium: 128 frames), which would make latencySeconds wrong; a voice's harmonics above a
      // quarter of the rate are weak, so the aliasing it would remove is small.
      const shaper = nodes.add(new WaveShaperNode(context, { curve: driveCurve(stage.drive), oversample: 'none' }));
      return { input: shaper, output: shaper };
    }
    case 'modulate':
      return buildModulator(context, stage, nodes);
    case 'comb':
      return buildComb(context, stage, nodes);
    case 'chorus':
    case 'diffuse':
      throw new TypeError(`voice changer: a ${stage.kind} stage runs in the worklet, so it must come before every other stage`);
    default: {
      const unknown: never = stage;
      throw new TypeError(`voice changer: unknown stage ${JSON.stringify(unknown)}`);
    }
  }
}

/** tanh(drive·x)/√drive over [−1, 1]: soft clipping, with the small-signal gain √drive. */
function driveCurve(drive: number): Float32Array<ArrayBuffer> {
  const points = 2049;
  const curve = new Float32Array(points);
  for (let i = 0; i < points; i++) {
    const x = (2 * i) / (points - 1) - 1;
    curve[i] = Math.tanh(drive * x) / Math.sqrt(drive);
  }
  return curve;
}

/** gain = (1 − depth/2) + (depth/2)·wave: the AudioParam sums its value and the oscillator. */
function buildModulator(context: BaseAudioContext, stage: Extract<VoiceStage, { kind: 'modulate' }>, nodes: NodeSet): Built {
  const gain = nodes.add(new GainNode(context, { gain: 1 - stage.depth / 2 }));
  const swing = nodes.add(new GainNode(context, { gain: stage.depth / 2 }));
  nodes.oscillator(context, stage.wave, stage.hz).connect(swing).connect(gain.gain);
  return { input: gain, output: gain };
}

function buildComb(context: BaseAudioContext, stage: Extract<VoiceStage, { kind: 'comb' }>, nodes: NodeSet): Built {
  const input = nodes.add(new GainNode(context));
  const output = nodes.add(new GainNode(context));
  input.connect(output);
  let power = 1;
  for (let n = 1; n <= stage.taps; n++) {
    const seconds = n * stage.seconds;
    const delay = nodes.add(new DelayNode(context, { delayTime: seconds, maxDelayTime: seconds }));
    input.connect(delay).connect(nodes.add(new GainNode(context, { gain: stage.gain ** n }))).connect(output);
    power += stage.gain ** (2 * n);
  }
  // Broadband level kept: the taps add power Σg^2n to the voice's.
  output.gain.value = 1 / Math.sqrt(power);
  return { input, output };
}
