/**
 * The reverb of `audio-reverb-type` (spec §1: 0 off, 1 KTV, 2 small room, 3 great hall, 4 deep,
 * 5 loud, 6 metallic, 7 magnetic), an {@link AudioEffect} stage between the mic gain and the mix
 * bus. Each type is a design of ours, not a copy of another product's preset:
 *
 *   input ─► tone EQ ─┬─► dry ────────────────────────────────┬─► compressor ─► trim ─► clipper
 *            (voice)  └─► reverb processor ─► wet EQ ─► wet ─┘   (hard knee)   (undoes   (WaveShaper,
 *                         (AudioWorklet: pre-delay, early                       makeup)   = output)
 *                          reflections, delay network tail)
 *
 * The processor (reverb-worklet.ts, its numbers from reverb-network.ts) gives an impulse a wet
 * sound of unit energy, so `wetLevel` is the wet-to-dry amplitude ratio for a noise-like voice
 * whatever the decay (a long tail is not louder than a short one). Its cost does not grow with
 * the decay time, unlike a convolver's. The module is added once per context
 * (worklet-module.ts): a live switch builds nodes only.
 *
 * A full-scale voice into a long tail can still overshoot for the few milliseconds the compressor
 * takes to react; the clipper, transparent below {@link CLIP_KNEE}, keeps every sample inside
 * [−1, 1] for the AAC encoder after it. The output has the channels asked for (stereo:
 * decorrelated); a mono capture down-mixes a stereo one (Web Audio, "Channel Up-Mixing and
 * Down-Mixing").
 */
import type { AudioEffect } from '../media/audio-capture.js';
import { reverbNetwork, type ReverbNetworkDesign } from './reverb-network.js';
import { REVERB_PROCESSOR, REVERB_WORKLET_SOURCE, type ReverbControlMessage } from './reverb-worklet.js';
import { loadWorkletModule } from './worklet-module.js';

/** `audio-reverb-type` values that have a reverb; 0 (off) has none (spec §1). */
export type ReverbType = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** One biquad of an EQ chain; `gainDb` only for shelves and peaks (Web Audio, BiquadFilterNode). */
export interface EqBand {
  readonly type: BiquadFilterType;
  readonly frequency: number;
  /** Peaking only (shelves ignore it; low- and high-passes here are always Butterworth). */
  readonly Q?: number;
  readonly gainDb?: number;
}

/** Hard-knee compressor settings (a hard knee makes the curve, and so its makeup gain, exact). */
export interface CompressorDesign {
  readonly thresholdDb: number;
  readonly ratio: number;
  readonly attackSeconds: number;
  readonly releaseSeconds: number;
}

/** A reverb type: its wet sound plus the graph around the processor. */
export interface ReverbDesign extends ReverbNetworkDesign {
  readonly name: string;
  /** Shapes the voice itself, dry and wet. */
  readonly tone: readonly EqBand[];
  /** Shapes the reverb only. */
  readonly wetEq: readonly EqBand[];
  readonly dryLevel: number;
  readonly wetLevel: number;
  readonly compressor: CompressorDesign;
  /** Level change below the threshold, after the compressor's automatic makeup is undone. */
  readonly makeupDb: number;
}

/** Gentle bus compression: catches peaks the reverb adds without pumping a normal voice. */
const GLUE: CompressorDesign = { thresholdDb: -12, ratio: 3, attackSeconds: 0.005, releaseSeconds: 0.2 };

/**
 * The seven designs. Rooms lose highs first (`trebleRatio` < 1, air and wall absorption); the
 * wet EQ high-passes every tail so that low notes do not turn to mud.
 */
export const REVERB_DESIGNS: Readonly<Record<ReverbType, ReverbDesign>> = Object.freeze({
  // Bright, medium hall with a wide slapback: a karaoke room's echo-plus-reverb.
  1: {
    name: 'KTV',
    decaySeconds: 1.5,
    bassRatio: 1,
    trebleRatio: 0.8,
    loopSeconds: 0.035,
    early: { count: 10, spanSeconds: 0.05, level: 0.25 },
    echoes: [
      { delaySeconds: [0.11, 0.125], level: 0.3 },
      { delaySeconds: [0.235, 0.22], level: 0.08 },
    ],
    seed: 0x4b5456,
    preDelaySeconds: 0.02,
    tone: [
      { type: 'peaking', frequency: 3000, Q: 1, gainDb: 2 },
      { type: 'highshelf', frequency: 6000, gainDb: 3 },
    ],
    wetEq: [
      { type: 'highpass', frequency: 200 },
      { type: 'lowpass', frequency: 9000 },
    ],
    dryLevel: 1,
    wetLevel: 0.4,
    compressor: GLUE,
    makeupDb: 0,
  },
  // A short, dense room: strong early reflections, little tail.
  2: {
    name: 'small room',
    decaySeconds: 0.4,
    bassRatio: 1,
    trebleRatio: 0.5,
    loopSeconds: 0.015,
    early: { count: 16, spanSeconds: 0.025, level: 0.5 },
    seed: 0x524f4f,
    preDelaySeconds: 0.004,
    tone: [],
    wetEq: [
      { type: 'highpass', frequency: 150 },
      { type: 'lowpass', frequency: 7000 },
    ],
    dryLevel: 1,
    wetLevel: 0.35,
    compressor: GLUE,
    makeupDb: 0,
  },
  // A large hall: late, sparse reflections, long tail with a warm bass ratio.
  3: {
    name: 'great hall',
    decaySeconds: 2.8,
    bassRatio: 1.15,
    trebleRatio: 0.55,
    loopSeconds: 0.06,
    early: { count: 8, spanSeconds: 0.09, level: 0.2 },
    seed: 0x48414c,
    preDelaySeconds: 0.035,
    tone: [],
    wetEq: [
      { type: 'highpass', frequency: 120 },
      { type: 'lowpass', frequency: 8000 },
    ],
    dryLevel: 0.9,
    wetLevel: 0.45,
    compressor: GLUE,
    makeupDb: 0,
  },
  // Long and dark: highs die fast, the tail is low-passed and the voice gains body.
  4: {
    name: 'deep',
    decaySeconds: 3,
    bassRatio: 1.15,
    trebleRatio: 0.3,
    loopSeconds: 0.065,
    early: { count: 6, spanSeconds: 0.08, level: 0.1 },
    seed: 0x444545,
    preDelaySeconds: 0.045,
    tone: [
      { type: 'lowshelf', frequency: 200, gainDb: 4 },
      { type: 'highshelf', frequency: 4000, gainDb: -4 },
    ],
    wetEq: [
      { type: 'highpass', frequency: 80 },
      { type: 'lowpass', frequency: 2500 },
    ],
    dryLevel: 0.9,
    wetLevel: 0.5,
    compressor: GLUE,
    makeupDb: 0,
  },
  // Forward and bright: heavy compression with makeup, presence lift, a modest tail kept behind
  // the voice by its pre-delay.
  5: {
    name: 'loud',
    decaySeconds: 1.2,
    bassRatio: 1,
    trebleRatio: 0.85,
    loopSeconds: 0.035,
    early: { count: 8, spanSeconds: 0.04, level: 0.2 },
    seed: 0x4c4f55,
    preDelaySeconds: 0.025,
    tone: [
      { type: 'highpass', frequency: 120 },
      { type: 'peaking', frequency: 3000, Q: 1, gainDb: 4 },
      { type: 'highshelf', frequency: 8000, gainDb: 3 },
    ],
    wetEq: [
      { type: 'highpass', frequency: 300 },
      { type: 'lowpass', frequency: 10000 },
    ],
    dryLevel: 1,
    wetLevel: 0.25,
    compressor: { thresholdDb: -26, ratio: 5, attackSeconds: 0.003, releaseSeconds: 0.1 },
    makeupDb: 9,
  },
  // A short tail through incommensurate combs (2.3–5.9 ms: resonances from 170 Hz up) that
  // ring like a struck metal body; highs barely damped.
  6: {
    name: 'metallic',
    decaySeconds: 0.8,
    bassRatio: 1,
    trebleRatio: 0.85,
    loopSeconds: 0.012,
    resonance: { delaysSeconds: [0.0023, 0.0037, 0.0059], feedback: 0.8 },
    seed: 0x4d4554,
    preDelaySeconds: 0.005,
    tone: [
      { type: 'highpass', frequency: 200 },
      { type: 'peaking', frequency: 2500, Q: 2, gainDb: 3 },
    ],
    wetEq: [
      { type: 'highpass', frequency: 300 },
      { type: 'lowpass', frequency: 10000 },
    ],
    dryLevel: 1,
    wetLevel: 0.45,
    compressor: GLUE,
    makeupDb: 0,
  },
  // A plate: dense from the start (no discrete reflections), smooth, highs kept longer than a
  // room's, lows thin; the voice gets a warm low-mid lift and softened top.
  7: {
    name: 'magnetic',
    decaySeconds: 1.8,
    bassRatio: 0.9,
    trebleRatio: 0.85,
    loopSeconds: 0.02,
    seed: 0x4d4147,
    preDelaySeconds: 0.01,
    tone: [
      { type: 'peaking', frequency: 250, Q: 0.8, gainDb: 4 },
      { type: 'highshelf', frequency: 8000, gainDb: -2 },
    ],
    wetEq: [
      { type: 'highpass', frequency: 250 },
      { type: 'lowpass', frequency: 8000 },
    ],
    dryLevel: 1,
    wetLevel: 0.35,
    compressor: { thresholdDb: -18, ratio: 3, attackSeconds: 0.01, releaseSeconds: 0.25 },
    makeupDb: 1,
  },
});

/** The reverb stage; `dry` and `wet` are its mix levels, for fades when the type changes. */
export interface ReverbEffect extends AudioEffect {
  readonly type: ReverbType;
  readonly dry: GainNode;
  readonly wet: GainNode;
}

/**
 * Builds the reverb of `type` in `context` (an AudioContext or OfflineAudioContext, mono or
 * stereo input). `channelCount` is the wet sound's: stereo gives width, mono (for a mono push,
 * where width would be mixed away) saves the second channel's work. Dispose it after taking it
 * out of the graph.
 * Rejects with a RangeError for a type outside 1–7 (0 is "off": no stage at all), before any
 * node is made, and with an Error when the context cannot load the processor's AudioWorklet
 * module (a Content-Security-Policy without blob: in script-src).
 */
export async function createReverb(context: BaseAudioContext, type: ReverbType, channelCount: 1 | 2 = 2): Promise<ReverbEffect> {
  const design = designOf(type);
  const processorOptions = reverbNetwork(design, context.sampleRate, channelCount);
  await loadWorkletModule(context, REVERB_WORKLET_SOURCE, 'reverb');
  const input = new GainNode(context);
  const dry = new GainNode(context, { gain: design.dryLevel });
  const processor = new AudioWorkletNode(context, REVERB_PROCESSOR, { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [channelCount], processorOptions });
  const wet = new GainNode(context, { gain: design.wetLevel });
  const compressor = compressorNode(context, design.compressor);
  const trim = new GainNode(context, { gain: 10 ** ((design.makeupDb - automaticMakeupDb(design.compressor)) / 20) / CLIP_RANGE });
  const output = new WaveShaperNode(context, { curve: clipCurve() });
  const tone = design.tone.map((band) => biquadNode(context, band));
  const wetEq = design.wetEq.map((band) => biquadNode(context, band));

  const voice = chain(input, ...tone);
  voice.connect(dry).connect(compressor);
  chain(voice, processor, ...wetEq, wet).connect(compressor);
  compressor.connect(trim).connect(output);

  const nodes: AudioNode[] = [input, ...tone, dry, processor, ...wetEq, wet, compressor, trim, output];
  let disposed = false;
  return {
    name: `reverb ${design.name}`,
    type,
    input,
    output,
    dry,
    wet,
    dispose: () => {
      if (disposed) return;
      disposed = true;
      processor.port.postMessage({ type: 'stop' } satisfies ReverbControlMessage);
      nodes.forEach((node) => node.disconnect());
    },
  };
}

function designOf(type: ReverbType): ReverbDesign {
  const design = Number.isInteger(type) && Object.hasOwn(REVERB_DESIGNS, type) ? REVERB_DESIGNS[type] : undefined;
  if (!design) throw new RangeError(`audio-reverb-type must be 1–7 for a reverb (0 is off), got ${String(type)}`);
  return design;
}

/** Connects the nodes in a row; returns the last. */
function chain(first: AudioNode, ...rest: AudioNode[]): AudioNode {
  return rest.reduce((previous, node) => previous.connect(node), first);
}

/**
 * Web Audio reads a low- or high-pass Q as a resonance in dB (BiquadFilterNode): a Butterworth
 * section, Q = 1/√2, is 20·log10(1/√2) ≈ −3.01 dB.
 */
const BUTTERWORTH_Q_DB = 20 * Math.log10(Math.SQRT1_2);

function biquadNode(context: BaseAudioContext, band: EqBand): BiquadFilterNode {
  const pass = band.type === 'lowpass' || band.type === 'highpass';
  return new BiquadFilterNode(context, { type: band.type, frequency: band.frequency, Q: pass ? BUTTERWORTH_Q_DB : (band.Q ?? 1), gain: band.gainDb ?? 0 });
}

function compressorNode(context: BaseAudioContext, c: CompressorDesign): DynamicsCompressorNode {
  return new DynamicsCompressorNode(context, { threshold: c.thresholdDb, ratio: c.ratio, knee: 0, attack: c.attackSeconds, release: c.releaseSeconds });
}

/** Level up to which the clipper passes samples unchanged. */
const CLIP_KNEE = 0.8;
/**
 * A WaveShaper's curve spans inputs −1…1 and holds its end values beyond (Web Audio,
 * WaveShaperNode), so the signal is scaled down by this before it and the curve spans
 * ±CLIP_RANGE instead: up to 12 dB over full scale bends rather than flattens.
 */
const CLIP_RANGE = 4;
const CLIP_CURVE_POINTS = 4097;
let sharedClipCurve: Float32Array<ArrayBuffer> | undefined;

/** Identity up to the knee, then a tanh bend with matching slope that approaches ±1. */
function clipCurve(): Float32Array<ArrayBuffer> {
  sharedClipCurve ??= Float32Array.from({ length: CLIP_CURVE_POINTS }, (_, i) => {
    const x = CLIP_RANGE * ((2 * i) / (CLIP_CURVE_POINTS - 1) - 1);
    const over = Math.abs(x) - CLIP_KNEE;
    return over <= 0 ? x : Math.sign(x) * (CLIP_KNEE + (1 - CLIP_KNEE) * Math.tanh(over / (1 - CLIP_KNEE)));
  });
  return sharedClipCurve;
}

/**
 * The gain a DynamicsCompressorNode adds by itself (Web Audio, DynamicsCompressorNode, "makeup
 * gain"): the 0.6th power of the inverse of its curve's gain at full scale. With a hard knee the
 * curve at 0 dBFS is threshold + (0 − threshold) / ratio.
 */
function automaticMakeupDb(c: CompressorDesign): number {
  const fullRangeGainDb = c.thresholdDb * (1 - 1 / c.ratio);
  return -0.6 * fullRangeGainDb;
}
