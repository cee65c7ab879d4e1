/**
 * Runs an AudioWorklet processor's source in Node, in a `vm` context that provides what the
 * AudioWorkletGlobalScope gives it (Web Audio §1.32.1: `AudioWorkletProcessor`, `registerProcessor`,
 * `sampleRate`), and renders a signal through it in 128-frame quanta as a graph would. The
 * processor's code is the shipped string itself; only the host around it is stood in for, so
 * long measurements (decays per band) run here without a browser.
 */
import vm from 'node:vm';

const QUANTUM = 128;

/**
 * `input` (one Float32Array per channel, any length) through a new `processorName` processor,
 * padded with silence up to `frames`; returns `outputChannels` channels of `frames` samples.
 */
export function renderWorklet(source: string, processorName: string, o: { sampleRate: number; options: unknown; input: Float32Array[]; outputChannels: number; frames: number }): Float32Array[] {
  const processors = new Map<string, new (options: unknown) => { process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean }>();
  const sandbox = {
    sampleRate: o.sampleRate,
    AudioWorkletProcessor: class {
      readonly port = { onmessage: null as unknown, postMessage: () => {} };
    },
    registerProcessor: (name: string, ctor: never) => processors.set(name, ctor),
  };
  vm.runInNewContext(source, sandbox);
  const Processor = processors.get(processorName);
  if (!Processor) throw new Error(`the source registers no processor ${processorName}`);
  const processor = new Processor({ processorOptions: o.options });
  const out = Array.from({ length: o.outputChannels }, () => new Float32Array(o.frames));
  for (let at = 0; at < o.frames; at += QUANTUM) {
    const inputs = [o.input.map((ch) => {
      const block = new Float32Array(QUANTUM);
      block.set(ch.subarray(Math.min(at, ch.length), Math.min(at + QUANTUM, ch.length)));
      return block;
    })];
    const outputs = [out.map(() => new Float32Array(QUANTUM))];
    if (!processor.process(inputs, outputs)) break;
    outputs[0]!.forEach((block, c) => out[c]!.set(block.subarray(0, Math.min(QUANTUM, o.frames - at)), at));
  }
  return out;
}
