/**
 * The in-page half of reverb.test.ts: renders each reverb in an OfflineAudioContext and measures
 * the result here (acoustics.ts is bundled in), so only numbers cross to Node.
 */
import { createReverb, REVERB_DESIGNS, reverbImpulseResponse, type ReverbType } from '../../src/browser/audio/reverb.js';
import { markReady } from '../browser/page-support.js';
import { energyDecayDb, reverberationTime, spectralCentroid } from './acoustics.js';

export interface RenderConfig {
  sampleRate: number;
  channels: 1 | 2;
}

export interface WetMeasurement {
  t30: number;
  t20: number;
  centroidHz: number;
  outputChannels: number;
}

export interface BurstMeasurement {
  /** Output power over input power while the burst plays, dB. */
  levelDb: number;
  /** Output power in the 0.3 s after the burst stopped over that during it, dB. */
  tailDb: number;
}

export interface StressMeasurement {
  peak: number;
  finite: boolean;
}

/**
 * An impulse of 0.01 (−40 dBFS: below every compressor threshold, so the graph is linear) through
 * the wet path alone, the dry level at 0; decay and colour of what comes out.
 */
async function wetImpulse(type: ReverbType, config: RenderConfig): Promise<WetMeasurement> {
  const design = REVERB_DESIGNS[type];
  const seconds = design.preDelaySeconds + design.decaySeconds * 1.3 + 0.1;
  const context = new OfflineAudioContext({ numberOfChannels: config.channels, length: Math.ceil(seconds * config.sampleRate), sampleRate: config.sampleRate });
  const impulse = new AudioBuffer({ length: 1, numberOfChannels: config.channels, sampleRate: config.sampleRate });
  for (let c = 0; c < config.channels; c++) impulse.getChannelData(c)[0] = 0.01;
  const source = new AudioBufferSourceNode(context, { buffer: impulse });
  const reverb = createReverb(context, type);
  reverb.dry.gain.value = 0;
  source.connect(reverb.input);
  reverb.output.connect(context.destination);
  source.start();
  const rendered = await context.startRendering();
  reverb.dispose?.();
  const channels = Array.from({ length: rendered.numberOfChannels }, (_, c) => rendered.getChannelData(c));
  const curve = energyDecayDb(channels);
  return {
    t30: reverberationTime(curve, config.sampleRate),
    t20: reverberationTime(curve, config.sampleRate, -5, -25),
    centroidHz: spectralCentroid(channels[0]!, config.sampleRate),
    outputChannels: rendered.numberOfChannels,
  };
}

/** Seeded uniform noise, so that every run renders the same input. */
function noise(length: number, amplitude: number, seed = 12345): Float32Array<ArrayBuffer> {
  const out = new Float32Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = amplitude * (x / 2 ** 31 - 1);
  }
  return out;
}

/** Renders `input` (mono, at 48 kHz) through `type`, or straight through for type 0. */
async function render(type: ReverbType | 0, input: Float32Array<ArrayBuffer>, seconds: number): Promise<Float32Array[]> {
  const sampleRate = 48_000;
  const context = new OfflineAudioContext({ numberOfChannels: 2, length: Math.ceil(seconds * sampleRate), sampleRate });
  const buffer = new AudioBuffer({ length: input.length, numberOfChannels: 1, sampleRate });
  buffer.copyToChannel(input, 0);
  const source = new AudioBufferSourceNode(context, { buffer });
  if (type === 0) {
    source.connect(context.destination);
  } else {
    const reverb = createReverb(context, type);
    source.connect(reverb.input);
    reverb.output.connect(context.destination);
  }
  source.start();
  const rendered = await context.startRendering();
  return [rendered.getChannelData(0), rendered.getChannelData(1)];
}

function meanPower(channels: Float32Array[], from: number, to: number): number {
  let sum = 0;
  for (const ch of channels) for (let i = from; i < to; i++) sum += ch[i]! * ch[i]!;
  return sum / (channels.length * (to - from));
}

/** Half a second of noise at −20 dBFS RMS, then silence: the level kept, and what rings on. */
async function burst(type: ReverbType | 0): Promise<BurstMeasurement> {
  const length = 24_000;
  const input = noise(length, 0.1 * Math.sqrt(3));
  const out = await render(type, input, 1);
  const steady = meanPower(out, 4800, length);
  const inputPower = meanPower([input], 4800, length);
  return {
    levelDb: 10 * Math.log10(steady / inputPower),
    tailDb: 10 * Math.log10(meanPower(out, length + 480, length + 14_400) / steady + 1e-30),
  };
}

/** Full-scale input: a sweep 50 Hz–10 kHz for a second, then a second of full-scale noise. */
async function stress(type: ReverbType): Promise<StressMeasurement> {
  const sampleRate = 48_000;
  const sweep = Array.from({ length: sampleRate }, (_, i) => {
    const t = i / sampleRate;
    return Math.sin(2 * Math.PI * 50 * ((200 ** t - 1) / Math.log(200)));
  });
  const input = new Float32Array([...sweep, ...noise(sampleRate, 1)]);
  const out = await render(type, input, 3);
  let peak = 0;
  let finite = true;
  for (const ch of out)
    for (const v of ch) {
      finite &&= Number.isFinite(v);
      peak = Math.max(peak, Math.abs(v));
    }
  return { peak, finite };
}

/** Builds every type in a running AudioContext, lets it play, disposes each twice. */
async function live(sampleRate: number): Promise<string[]> {
  const context = new AudioContext({ sampleRate });
  const oscillator = new OscillatorNode(context, { frequency: 440 });
  const reverbs = ([1, 2, 3, 4, 5, 6, 7] as const).map((type) => createReverb(context, type));
  for (const reverb of reverbs) {
    oscillator.connect(reverb.input);
    reverb.output.connect(context.destination);
  }
  oscillator.start();
  await context.resume();
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (const reverb of reverbs) {
    reverb.dispose?.();
    reverb.dispose?.();
  }
  await context.close();
  return reverbs.map((r) => r.name);
}

/** Whether two reverbs of one (rate, type) share the cached response, and another rate not. */
function cached(type: ReverbType): { same: boolean; otherRate: boolean } {
  return {
    same: reverbImpulseResponse(type, 48_000) === reverbImpulseResponse(type, 48_000),
    otherRate: reverbImpulseResponse(type, 48_000) !== reverbImpulseResponse(type, 16_000),
  };
}

/** dispose() twice on a built reverb. */
function disposeTwice(type: ReverbType): boolean {
  const reverb = createReverb(new OfflineAudioContext({ numberOfChannels: 1, length: 128, sampleRate: 16_000 }), type);
  reverb.dispose?.();
  reverb.dispose?.();
  return true;
}

markReady({ wetImpulse, burst, stress, live, cached, disposeTwice, createReverb });
