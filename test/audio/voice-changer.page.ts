/**
 * Page side of voice-changer.test.ts: renders test signals through each voice changer type in an
 * OfflineAudioContext (deterministic, faster than real time) and returns the measurements.
 */
import { createVoiceChanger, type VoiceChangerType } from '../../src/browser/audio/voice-changer.js';
import { countAddModule, markReady, swapStageAt } from '../browser/page-support.js';
import { bandLevelsDb, envelopePeakHz, fundamentalHz, onsetSeconds } from './voice-measures.js';

/** The test voice's pitch: a low-ish adult voice, so that every ratio stays in the detector's range. */
const VOICE_HZ = 150;
/** Rendered length and the steady part measured (after the detector and the tails settled). */
const SECONDS = 1.6;
const STEADY_FROM = 0.5;

export interface PitchResult {
  inputHz: number[];
  outputHz: number[];
  /** RMS of each output channel: stereo channels must stay distinct. */
  outputRms: number[];
  latencySeconds: number;
}

export interface SpectrumResult {
  input: number[];
  output: number[];
  /** The input through a plain delay and a 2 dB cut: what "no voice change" measures as. */
  control: number[];
}

export interface LatencyResult {
  latencySeconds: number;
  measuredSeconds: number;
}

export interface FormantResult {
  inputFormantHz: number;
  outputFormantHz: number;
}

export interface SwitchResult {
  /** Output pitch before and after the switch, Hz. */
  beforeHz: number;
  afterHz: number;
  /** addModule calls over both changers. */
  addModuleCalls: number;
}

/** The pitch (Hz, NaN where unvoiced) of 60 ms frames every 20 ms, in and latencySeconds later out. */
export interface ContourResult {
  inputHz: number[];
  outputHz: number[];
}

export interface NoiseResult {
  finite: boolean;
  /** Peak of the output while the noise plays, and in its last 0.2 s, long after the noise stopped. */
  peak: number;
  tailPeak: number;
}

export interface BadInputResult {
  /** `${name}: ${message}` of the rejection for each bad type. */
  rejections: string[];
  /** addModule calls after building three shifting types in one context. */
  addModuleCalls: number;
  disposeTwice: string;
  /** The rejection when the worklet module cannot be loaded. */
  loadFailure: string;
}

/**
 * A steady voice-like source: a band-limited sawtooth through a 3 kHz low-pass; the right channel
 * (if any) darker and quieter, so that the two channels differ.
 */
function steadyVoice(context: BaseAudioContext, channels: number): AudioNode {
  const osc = new OscillatorNode(context, { type: 'sawtooth', frequency: VOICE_HZ });
  osc.start();
  const left = osc.connect(new BiquadFilterNode(context, { type: 'lowpass', frequency: 3000 })).connect(new GainNode(context, { gain: 0.3 }));
  if (channels === 1) return left;
  const right = osc.connect(new BiquadFilterNode(context, { type: 'lowpass', frequency: 1200 })).connect(new GainNode(context, { gain: 0.15 }));
  const merger = new ChannelMergerNode(context, { numberOfInputs: 2 });
  left.connect(merger, 0, 0);
  right.connect(merger, 0, 1);
  return merger;
}

/** Input and output of one type side by side: channels [in…, out…]. */
async function renderThrough(type: VoiceChangerType, rate: number, channels: number, source: (c: BaseAudioContext) => AudioNode) {
  const context = new OfflineAudioContext({ numberOfChannels: 2 * channels, length: Math.round(SECONDS * rate), sampleRate: rate });
  const changer = await createVoiceChanger(context, type);
  const merger = new ChannelMergerNode(context, { numberOfInputs: 2 * channels });
  const input = source(context);
  const inputSplit = new ChannelSplitterNode(context, { numberOfOutputs: channels });
  const outputSplit = new ChannelSplitterNode(context, { numberOfOutputs: channels });
  input.connect(inputSplit);
  input.connect(changer.input);
  changer.output.connect(outputSplit);
  for (let c = 0; c < channels; c++) {
    inputSplit.connect(merger, c, c);
    outputSplit.connect(merger, c, channels + c);
  }
  merger.connect(context.destination);
  const rendered = await context.startRendering();
  changer.dispose?.();
  const planes = Array.from({ length: 2 * channels }, (_, c) => rendered.getChannelData(c));
  return { inputs: planes.slice(0, channels), outputs: planes.slice(channels), latencySeconds: changer.latencySeconds };
}

async function pitchRun(o: { type: VoiceChangerType; rate: number; channels: 1 | 2 }): Promise<PitchResult> {
  const { inputs, outputs, latencySeconds } = await renderThrough(o.type, o.rate, o.channels, (c) => steadyVoice(c, o.channels));
  const measure = (d: Float32Array) => fundamentalHz(d, o.rate, { from: STEADY_FROM, to: SECONDS });
  const rms = (d: Float32Array) => Math.sqrt(d.subarray(Math.round(STEADY_FROM * o.rate)).reduce((s, v) => s + v * v, 0) / (d.length - STEADY_FROM * o.rate));
  return { inputHz: inputs.map(measure), outputHz: outputs.map(measure), outputRms: outputs.map(rms), latencySeconds };
}

/** The bench's voice: sawtooth with a 5 Hz vibrato through a formant-like band-pass. */
function vibratoVoice(context: BaseAudioContext): AudioNode {
  const osc = new OscillatorNode(context, { type: 'sawtooth', frequency: 140 });
  const vibrato = new OscillatorNode(context, { frequency: 5 });
  vibrato.connect(new GainNode(context, { gain: 4 })).connect(osc.frequency);
  osc.start();
  vibrato.start();
  return osc.connect(new BiquadFilterNode(context, { type: 'bandpass', frequency: 800, Q: 0.7 })).connect(new GainNode(context, { gain: 0.3 }));
}

async function spectrumRun(o: { type: VoiceChangerType; rate: number }): Promise<SpectrumResult> {
  const { inputs, outputs } = await renderThrough(o.type, o.rate, 1, vibratoVoice);
  const context = new OfflineAudioContext({ numberOfChannels: 1, length: Math.round(SECONDS * o.rate), sampleRate: o.rate });
  vibratoVoice(context)
    .connect(new DelayNode(context, { delayTime: 0.01 }))
    .connect(new GainNode(context, { gain: 10 ** (-2 / 20) }))
    .connect(context.destination);
  const control = (await context.startRendering()).getChannelData(0);
  const levels = (d: Float32Array) => bandLevelsDb(d, o.rate, STEADY_FROM, SECONDS);
  return { input: levels(inputs[0]!), output: levels(outputs[0]!), control: levels(control) };
}

/** The bench's latency measurement: a 300 Hz burst at 0.5 s, its onset in and out (10 % of peak). */
async function latencyRun(o: { type: VoiceChangerType; rate: number }): Promise<LatencyResult> {
  const burst = (context: BaseAudioContext) => {
    const osc = new OscillatorNode(context, { frequency: 300 });
    const gate = new GainNode(context, { gain: 0 });
    gate.gain.setValueAtTime(0.5, 0.5);
    osc.start();
    return osc.connect(gate);
  };
  const { inputs, outputs, latencySeconds } = await renderThrough(o.type, o.rate, 1, burst);
  const measuredSeconds = onsetSeconds(outputs[0]!, o.rate, 0.25) - onsetSeconds(inputs[0]!, o.rate, 0.25);
  return { latencySeconds, measuredSeconds };
}

/**
 * A one-formant vowel: a 100 Hz sawtooth through a 1.2 kHz resonance 600 Hz wide, so that the
 * harmonics (100 Hz apart, 75–150 Hz after the shift) sample the envelope's peak finely.
 */
function vowel(context: BaseAudioContext): AudioNode {
  const osc = new OscillatorNode(context, { type: 'sawtooth', frequency: 100 });
  osc.start();
  return osc.connect(new BiquadFilterNode(context, { type: 'bandpass', frequency: 1200, Q: 2 })).connect(new GainNode(context, { gain: 0.5 }));
}

async function formantRun(o: { type: VoiceChangerType; rate: number }): Promise<FormantResult> {
  const { inputs, outputs } = await renderThrough(o.type, o.rate, 1, vowel);
  const formant = (d: Float32Array) => envelopePeakHz(d, o.rate, fundamentalHz(d, o.rate, { from: STEADY_FROM, to: SECONDS }), STEADY_FROM, SECONDS, 400, 3000);
  return { inputFormantHz: formant(inputs[0]!), outputFormantHz: formant(outputs[0]!) };
}

/**
 * One type replaced by another mid-render, the way the capture's setEffects does it (reconnect,
 * then dispose the old stage), at a suspension of the OfflineAudioContext.
 */
async function switchRun(o: { from: VoiceChangerType; to: VoiceChangerType; rate: number }): Promise<SwitchResult> {
  const seconds = 2;
  const at = 0.8;
  const context = new OfflineAudioContext({ numberOfChannels: 1, length: seconds * o.rate, sampleRate: o.rate });
  const counter = countAddModule(context);
  const source = steadyVoice(context, 1);
  const first = await createVoiceChanger(context, o.from);
  swapStageAt(context, source, first, at, () => createVoiceChanger(context, o.to));
  const output = (await context.startRendering()).getChannelData(0);
  return {
    beforeHz: fundamentalHz(output, o.rate, { from: 0.3, to: at }),
    afterHz: fundamentalHz(output, o.rate, { from: at + 0.4, to: seconds }),
    addModuleCalls: counter.calls,
  };
}

/**
 * Two "syllables" with intonation, a sawtooth through a vowel formant gliding 120 → 200 Hz then
 * 200 → 130 Hz, with a breath of noise and no voice between them (0.6–0.75 s).
 */
function syllables(context: BaseAudioContext): AudioNode {
  const osc = new OscillatorNode(context, { type: 'sawtooth', frequency: 120 });
  osc.frequency.linearRampToValueAtTime(200, 0.6);
  osc.frequency.setValueAtTime(200, 0.75);
  osc.frequency.linearRampToValueAtTime(130, SECONDS);
  const voiced = new GainNode(context, { gain: 0.3 });
  voiced.gain.setValueAtTime(0, 0.6);
  voiced.gain.setValueAtTime(0.3, 0.75);
  osc.start();
  const buffer = new AudioBuffer({ length: Math.round(0.15 * context.sampleRate), sampleRate: context.sampleRate });
  const data = buffer.getChannelData(0);
  for (let i = 0; i < data.length; i++) data[i] = 0.05 * Math.sin(i * i * 0.618);
  const breath = new AudioBufferSourceNode(context, { buffer });
  breath.start(0.6);
  const out = new GainNode(context);
  osc.connect(new BiquadFilterNode(context, { type: 'bandpass', frequency: 900, Q: 1 })).connect(voiced).connect(out);
  breath.connect(out);
  return out;
}

async function contourRun(o: { type: VoiceChangerType; rate: number }): Promise<ContourResult> {
  const { inputs, outputs, latencySeconds } = await renderThrough(o.type, o.rate, 1, syllables);
  const span = 0.06;
  const result: ContourResult = { inputHz: [], outputHz: [] };
  for (let t = 0.1; t + latencySeconds + span <= SECONDS; t += 0.02) {
    result.inputHz.push(fundamentalHz(inputs[0]!, o.rate, { from: t, to: t + span }));
    result.outputHz.push(fundamentalHz(outputs[0]!, o.rate, { from: t + latencySeconds, to: t + latencySeconds + span }));
  }
  return result;
}

/** White noise for 0.5 s (unvoiced input: no pitch to find), then silence. */
async function noiseRun(o: { type: VoiceChangerType; rate: number }): Promise<NoiseResult> {
  const noise = (context: BaseAudioContext) => {
    const buffer = new AudioBuffer({ length: context.sampleRate / 2, sampleRate: context.sampleRate });
    const data = buffer.getChannelData(0);
    let seed = 1;
    for (let i = 0; i < data.length; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      data[i] = 0.5 * (seed / 2 ** 30 - 1);
    }
    const source = new AudioBufferSourceNode(context, { buffer });
    source.start();
    return source;
  };
  const { outputs } = await renderThrough(o.type, o.rate, 1, noise);
  const output = outputs[0]!;
  const peakOf = (d: Float32Array) => d.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  return {
    finite: output.every(Number.isFinite),
    peak: peakOf(output.subarray(0, o.rate / 2)),
    tailPeak: peakOf(output.subarray(Math.round((SECONDS - 0.2) * o.rate))),
  };
}

async function badInput(): Promise<BadInputResult> {
  const context = new OfflineAudioContext({ numberOfChannels: 1, length: 128, sampleRate: 48_000 });
  const rejections: string[] = [];
  for (const bad of [0, 5, 12, -1, 2.5, Number.NaN, '3']) {
    try {
      await createVoiceChanger(context, bad as VoiceChangerType);
      rejections.push(`${String(bad)}: accepted`);
    } catch (e) {
      rejections.push(`${(e as Error).name}: ${(e as Error).message}`);
    }
  }
  const counter = countAddModule(context);
  const changers = [await createVoiceChanger(context, 1), await createVoiceChanger(context, 3), await createVoiceChanger(context, 10)];
  let disposeTwice = 'ok';
  try {
    for (const changer of changers) {
      changer.dispose?.();
      changer.dispose?.();
    }
  } catch (e) {
    disposeTwice = String(e);
  }
  const refusing = new OfflineAudioContext({ numberOfChannels: 1, length: 128, sampleRate: 48_000 });
  refusing.audioWorklet.addModule = () => Promise.reject(new DOMException('Refused to load the script', 'AbortError'));
  let loadFailure = 'resolved';
  try {
    await createVoiceChanger(refusing, 2);
  } catch (e) {
    loadFailure = `${(e as Error).name}: ${(e as Error).message}`;
  }
  return { rejections, addModuleCalls: counter.calls, disposeTwice, loadFailure };
}

markReady({ pitchRun, spectrumRun, latencyRun, contourRun, formantRun, switchRun, noiseRun, badInput });
