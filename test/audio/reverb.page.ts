/**
 * The in-page half of reverb.test.ts: renders each reverb in an OfflineAudioContext and measures
 * the result here (acoustics.ts is bundled in), so only numbers cross to Node.
 */
import { createReverb, REVERB_DESIGNS, type ReverbType } from '../../src/browser/audio/reverb.js';
import { countAddModule, markReady, swapStageAt } from '../browser/page-support.js';
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
  const reverb = await createReverb(context, type);
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
    const reverb = await createReverb(context, type);
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
  const reverbs = await Promise.all(([1, 2, 3, 4, 5, 6, 7] as const).map((type) => createReverb(context, type)));
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

export interface SwitchResult {
  /** Reverb tail (the 0.3 s after the burst) over the burst's level, dB, before and after the switch. */
  tailBeforeDb: number;
  tailAfterDb: number;
  addModuleCalls: number;
}

/**
 * A noise burst into `from`, then `to` swapped in at a suspension the way the capture's setEffects
 * does it (reconnect, then dispose the old stage), and a second burst: both ring on, each for as
 * long as its design says, and the module was added once.
 */
async function switchRun(from: ReverbType, to: ReverbType): Promise<SwitchResult> {
  const sampleRate = 48_000;
  const seconds = 8;
  const at = 4;
  const context = new OfflineAudioContext({ numberOfChannels: 1, length: seconds * sampleRate, sampleRate });
  const counter = countAddModule(context);
  const buffer = new AudioBuffer({ length: seconds * sampleRate, numberOfChannels: 1, sampleRate });
  const data = buffer.getChannelData(0);
  const burst = noise(sampleRate / 2, 0.1 * Math.sqrt(3));
  data.set(burst, 0);
  data.set(burst, at * sampleRate);
  const source = new AudioBufferSourceNode(context, { buffer });
  const first = await createReverb(context, from, 1);
  swapStageAt(context, source, first, at, () => createReverb(context, to, 1));
  source.start();
  const out = [(await context.startRendering()).getChannelData(0)];
  const tailDb = (start: number) => {
    const steady = meanPower(out, start + 4800, start + sampleRate / 2);
    return 10 * Math.log10(meanPower(out, start + sampleRate / 2 + 4800, start + sampleRate / 2 + 19_200) / steady + 1e-30);
  };
  return { tailBeforeDb: tailDb(0), tailAfterDb: tailDb(at * sampleRate), addModuleCalls: counter.calls };
}

/** The reverb in a context whose AudioWorklet refuses the module (a CSP without blob:). */
async function refused(): Promise<string> {
  const context = new OfflineAudioContext({ numberOfChannels: 1, length: 128, sampleRate: 48_000 });
  context.audioWorklet.addModule = () => Promise.reject(new DOMException('Refused to load the script', 'AbortError'));
  try {
    await createReverb(context, 1);
    return 'resolved';
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

/** dispose() twice on a built reverb. */
async function disposeTwice(type: ReverbType): Promise<boolean> {
  const reverb = await createReverb(new OfflineAudioContext({ numberOfChannels: 1, length: 128, sampleRate: 16_000 }), type);
  reverb.dispose?.();
  reverb.dispose?.();
  return true;
}

markReady({ wetImpulse, burst, stress, live, switchRun, refused, disposeTwice, createReverb });
