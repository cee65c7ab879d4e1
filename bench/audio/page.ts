/**
 * The in-page half of bench/audio: renders the push's sound graph offline (OfflineAudioContext
 * renders on one thread as fast as it can, so its time is the graph's CPU) and measures the voice
 * changer's added latency from a tone burst's onset; and runs the all-on graph live for the
 * real-time CPU figure. Bundled by audio.ts, run in headless
 * Chromium on the studio's origin (AudioWorklet needs a secure context).
 */
import { createReverb, REVERB_DESIGNS } from '../../src/browser/audio/reverb.js';
import { createVoiceChanger, VOICE_CHANGER_DESIGNS } from '../../src/browser/audio/voice-changer.js';
import type { AudioEffect } from '../../src/browser/media/audio-capture.js';
import { PCM_TAP_PROCESSOR, PCM_TAP_WORKLET_SOURCE, type PcmTapBlockMessage, type PcmTapControlMessage, type PcmTapOptions } from '../../src/browser/media/pcm-tap-worklet.js';

const RATE = 48_000;
/** The push is mono (core/modes.ts AudioSettings), and so is the chain in front of its encoder. */
const PUSHED_CHANNELS = 1;

export interface GraphTiming {
  config: string;
  seconds: number;
  renderMs: number;
  /** Share of one core the graph takes in real time: render time / audio time. */
  corePercent: number;
}

export interface VoiceLatency {
  type: number;
  name: string;
  /** What the module says it adds. */
  designedMs: number;
  /** Onset of a tone burst in the output minus its onset in the input. */
  measuredMs: number;
}

/** A voice-like source: a 140 Hz sawtooth with 5 Hz vibrato through a formant-ish band-pass. */
function voice(context: BaseAudioContext): AudioNode {
  const osc = new OscillatorNode(context, { type: 'sawtooth', frequency: 140 });
  const vibrato = new OscillatorNode(context, { frequency: 5 });
  const depth = new GainNode(context, { gain: 4 });
  vibrato.connect(depth).connect(osc.frequency);
  const formant = new BiquadFilterNode(context, { type: 'bandpass', frequency: 800, Q: 0.7 });
  const level = new GainNode(context, { gain: 0.3 });
  osc.connect(formant).connect(level);
  osc.start();
  vibrato.start();
  return level;
}

/** Two seconds of "music" (a chord) looped, as playBGM's buffer source. */
function music(context: BaseAudioContext): AudioNode {
  const buffer = new AudioBuffer({ length: 2 * RATE, sampleRate: RATE, numberOfChannels: 1 });
  const data = buffer.getChannelData(0);
  for (let i = 0; i < data.length; i++) {
    const t = i / RATE;
    data[i] = 0.1 * (Math.sin(2 * Math.PI * 261.6 * t) + Math.sin(2 * Math.PI * 329.6 * t) + Math.sin(2 * Math.PI * 392 * t));
  }
  const source = new AudioBufferSourceNode(context, { buffer, loop: true });
  const gain = new GainNode(context, { gain: 0.5 });
  source.connect(gain);
  source.start();
  return gain;
}

/**
 * The push's own end of the graph, as AudioCapture builds it: the PCM tap worklet that hands
 * 1024-frame blocks to the page (which recycles them), then the silent destination. Every push
 * runs it, effects or not; with it in the baseline, an effect's worklet is not charged for the
 * audio thread's switch to worklet rendering that the push pays anyway.
 */
async function pcmTap(context: BaseAudioContext): Promise<AudioNode> {
  const url = URL.createObjectURL(new Blob([PCM_TAP_WORKLET_SOURCE], { type: 'text/javascript' }));
  await context.audioWorklet.addModule(url);
  URL.revokeObjectURL(url);
  const processorOptions: PcmTapOptions = { channels: PUSHED_CHANNELS, blockFrames: 1024 };
  const tap = new AudioWorkletNode(context, PCM_TAP_PROCESSOR, { outputChannelCount: [1], channelCount: PUSHED_CHANNELS, channelCountMode: 'explicit', processorOptions });
  tap.port.onmessage = (event: MessageEvent<PcmTapBlockMessage>) =>
    tap.port.postMessage({ type: 'recycle', planes: event.data.planes } satisfies PcmTapControlMessage, event.data.planes.map((p) => p.buffer));
  tap.connect(context.destination);
  return tap;
}

/**
 * Renders `seconds` of the push graph: voice → mic gain → [voice changer] → [reverb] → mix bus
 * (+ music) → PCM tap → destination; `voiceType` / `reverbType` 0 leave the effect out.
 */
export async function timeGraph(voiceType: number, reverbType: number, withMusic: boolean, seconds: number): Promise<GraphTiming> {
  const context = new OfflineAudioContext({ numberOfChannels: 1, length: seconds * RATE, sampleRate: RATE });
  const micGain = new GainNode(context, { gain: 1 });
  const mixBus = new GainNode(context, { gain: 1 });
  voice(context).connect(micGain);
  const effects: AudioEffect[] = [];
  if (voiceType) effects.push(await createVoiceChanger(context, voiceType as never));
  if (reverbType) effects.push(await createReverb(context, reverbType as never, PUSHED_CHANNELS));
  let last: AudioNode = micGain;
  for (const e of effects) {
    last.connect(e.input);
    last = e.output;
  }
  last.connect(mixBus);
  if (withMusic) music(context).connect(mixBus);
  mixBus.connect(await pcmTap(context));
  const started = performance.now();
  await context.startRendering();
  const renderMs = performance.now() - started;
  for (const e of effects) e.dispose?.();
  const config = [voiceType ? `voice ${voiceType}` : '', reverbType ? `reverb ${reverbType}` : '', withMusic ? 'music' : ''].filter(Boolean).join(' + ') || 'off';
  return { config, seconds, renderMs: Math.round(renderMs), corePercent: Math.round((renderMs / (seconds * 1000)) * 1000) / 10 };
}

/** Onset (s) of the first sample above `threshold` of the peak, after `from` s. */
function onset(data: Float32Array, from: number, threshold = 0.1): number {
  let peak = 0;
  for (let i = Math.round(from * RATE); i < data.length; i++) peak = Math.max(peak, Math.abs(data[i]!));
  for (let i = Math.round(from * RATE); i < data.length; i++) if (Math.abs(data[i]!) >= threshold * peak) return i / RATE;
  return NaN;
}

/** Added latency of each voice changer type: a 300 Hz burst at 0.5 s, its onset in and out. */
export async function voiceLatencies(): Promise<VoiceLatency[]> {
  const out: VoiceLatency[] = [];
  for (const [key, design] of Object.entries(VOICE_CHANGER_DESIGNS)) {
    const type = Number(key);
    const context = new OfflineAudioContext({ numberOfChannels: 2, length: RATE, sampleRate: RATE });
    const osc = new OscillatorNode(context, { frequency: 300 });
    const gate = new GainNode(context, { gain: 0 });
    gate.gain.setValueAtTime(0.5, 0.5);
    osc.connect(gate);
    osc.start();
    const changer = await createVoiceChanger(context, type as never);
    const merger = new ChannelMergerNode(context, { numberOfInputs: 2 });
    gate.connect(merger, 0, 0);
    gate.connect(changer.input);
    changer.output.connect(merger, 0, 1);
    merger.connect(context.destination);
    const rendered = await context.startRendering();
    changer.dispose?.();
    const measured = onset(rendered.getChannelData(1), 0.25) - onset(rendered.getChannelData(0), 0.25);
    out.push({ type, name: design.name, designedMs: Math.round(changer.latencySeconds * 10_000) / 10, measuredMs: Math.round(measured * 10_000) / 10 });
  }
  return out;
}

let live: AudioContext | undefined;

/**
 * The push graph in a running AudioContext (voice, music, and the effects; 0 leaves one out), for
 * the live CPU figures.
 */
export async function startLive(voiceType: number, reverbType: number): Promise<void> {
  const context = new AudioContext({ sampleRate: RATE });
  const mixBus = new GainNode(context, { gain: 1 });
  const effects: AudioEffect[] = [];
  if (voiceType) effects.push(await createVoiceChanger(context, voiceType as never));
  if (reverbType) effects.push(await createReverb(context, reverbType as never, PUSHED_CHANNELS));
  let last = voice(context);
  for (const e of effects) last = last.connect(e.input) && e.output;
  last.connect(mixBus);
  music(context).connect(mixBus);
  mixBus.connect(await pcmTap(context));
  await context.resume();
  live = context;
}

export async function stopLive(): Promise<void> {
  await live?.close();
  live = undefined;
}

/** The design tables' keys, so audio.ts can walk every type. */
export function types(): { voice: number[]; reverb: number[] } {
  return { voice: Object.keys(VOICE_CHANGER_DESIGNS).map(Number), reverb: Object.keys(REVERB_DESIGNS).map(Number) };
}

Object.assign(window, { timeGraph, voiceLatencies, types, startLive, stopLive });
