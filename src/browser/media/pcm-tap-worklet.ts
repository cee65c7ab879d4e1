/**
 * Source of the AudioWorklet processor that taps PCM off the Web Audio graph, as a string: an
 * AudioWorklet module must be loaded from a URL (`audioWorklet.addModule`), and a Blob URL made
 * from this string keeps the package one file with no separate asset to serve.
 *
 * The processor collects render quanta (128 frames, or the context's renderQuantumSize) into
 * blocks of `blockFrames` planar Float32 samples, and posts each block with the context frame of
 * its first sample (`currentFrame`, Web Audio §1.32.2), transferring the buffers. The main thread sends the buffers back ('recycle') once the
 * block was consumed, so in the steady state nothing is allocated per block.
 *
 * Its output stays silent: the node is connected to the destination only so that the graph
 * renders it (Web Audio §1.32: a node is processed when it is reachable from the destination).
 */

/** Name under which the processor registers. */
export const PCM_TAP_PROCESSOR = 'live-pusher-pcm-tap';

/** processorOptions of the tap node. */
export interface PcmTapOptions {
  channels: number;
  blockFrames: number;
}

/** Messages from the processor. */
export interface PcmTapBlockMessage {
  type: 'block';
  /** Context frame (sample index) of the block's first sample. */
  frame: number;
  planes: Float32Array[];
}

/** Messages to the processor. */
export type PcmTapControlMessage = { type: 'recycle'; planes: Float32Array[] } | { type: 'stop' };

export const PCM_TAP_WORKLET_SOURCE = `
class PcmTap extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = options.processorOptions;
    this.channels = o.channels;
    this.blockFrames = o.blockFrames;
    this.free = [];
    this.block = null;
    this.fill = 0;
    this.startFrame = 0;
    this.stopped = false;
    this.port.onmessage = (e) => {
      if (e.data.type === 'recycle') this.free.push(e.data.planes);
      else if (e.data.type === 'stop') this.stopped = true;
    };
  }
  take() {
    const planes = this.free.pop();
    if (planes) return planes;
    const out = [];
    for (let c = 0; c < this.channels; c++) out.push(new Float32Array(this.blockFrames));
    return out;
  }
  process(inputs) {
    if (this.stopped) return false;
    const input = inputs[0];
    const live = input && input.length > 0;
    const n = live ? input[0].length : 128;
    let offset = 0;
    while (offset < n) {
      if (this.block === null) {
        this.block = this.take();
        this.fill = 0;
        this.startFrame = currentFrame + offset;
      }
      const take = Math.min(n - offset, this.blockFrames - this.fill);
      for (let c = 0; c < this.channels; c++) {
        const dst = this.block[c];
        const src = live ? (input[c] || input[0]) : null;
        if (src) dst.set(src.subarray(offset, offset + take), this.fill);
        else dst.fill(0, this.fill, this.fill + take);
      }
      this.fill += take;
      offset += take;
      if (this.fill === this.blockFrames) {
        const planes = this.block;
        this.block = null;
        this.port.postMessage(
          { type: 'block', frame: this.startFrame, planes },
          planes.map((p) => p.buffer),
        );
      }
    }
    return true;
  }
}
registerProcessor('${PCM_TAP_PROCESSOR}', PcmTap);
`;
