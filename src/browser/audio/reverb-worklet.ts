/**
 * The reverb's wet path (spec §1 `audio-reverb-type`) as an AudioWorklet processor, its source a
 * string loaded through a Blob URL like the voice changer's (worklet-module.ts). The processor only
 * runs numbers that reverb-network.ts derives from a design:
 *
 *   input ─► mono ─► combs ─► ring ─┬─► early taps (reflections, echoes), per channel ─────────┬─► output
 *                   (metallic)      └─► pre-delay ─► pink ─► diffusers ─► feedback delay network ─┘
 *
 * - **Early part.** Single taps on the input ring, each at the pre-delay plus its own offset.
 * - **Late tail.** A feedback delay network (Jot & Chaigne 1991): eight delay lines of mutually
 *   prime lengths, mixed each pass by an 8×8 Hadamard matrix (lossless, and one fast transform
 *   of 24 additions), each line's loss a three-band filter (a gain plus one-pole low and high
 *   splits) that sets the decay of its band: a line m frames long loses 60·m / (T·rate) dB per
 *   pass, T the band's RT60. The input is first tilted to pink (−3 dB per octave above a few
 *   hundred hertz: the diffuse field a voice excites) and smeared by three short allpasses, so
 *   the tail starts dense instead of as a train of clicks. Left and right read the lines through
 *   two orthogonal Hadamard rows: decorrelated channels.
 * - **Combs.** Optional parallel feedback combs on the input: the resonant ring of a metal body.
 *
 * About 200 floating-point operations a frame, whatever the decay time: a convolver's work grows
 * with the length of its response, this one's does not.
 */

/** Name under which the processor registers. */
export const REVERB_PROCESSOR = 'live-pusher-reverb';

/** Lines of the network; the processor's fast Hadamard transform is written for eight. */
export const NETWORK_LINES = 8;

/** processorOptions of the reverb node, all in frames at the context's rate. */
export interface ReverbProcessorOptions {
  /** Output channels, 1 or 2. */
  channels: number;
  /** Early taps per output channel: positions (frames after the input, pre-delay included) and gains. */
  tapFrames: number[][];
  tapGains: number[][];
  /** Where the late tail's input is read: the pre-delay. */
  preDelayFrames: number;
  /** Pinking filter: one-pole low-passes (pole, weight) plus a direct weight. */
  pinkPoles: number[];
  pinkWeights: number[];
  pinkDirect: number;
  /** Series allpasses before the network: lengths and coefficient. */
  diffuserFrames: number[];
  diffuserGain: number;
  /** The network's {@link NETWORK_LINES} lines: lengths, and per line the gain of each band per pass. */
  lineFrames: number[];
  lowGains: number[];
  midGains: number[];
  highGains: number[];
  /** Poles of the one-pole low-passes that split the bands. */
  lowPole: number;
  highPole: number;
  /** Gain into the network: the late tail's energy for an impulse is then 1. */
  inputGain: number;
  /** Gain of the whole wet sound (early part and tail). */
  outputGain: number;
  /** Input combs (none when empty): lengths, feedback and the gain that keeps their energy. */
  combFrames: number[];
  combFeedback: number;
  combGain: number;
}

/** Messages to the processor: 'stop' ends it (process returns false) so the node can be collected. */
export type ReverbControlMessage = { type: 'stop' };

export const REVERB_WORKLET_SOURCE = `
const LINES = ${NETWORK_LINES};
const HADAMARD_SCALE = 1 / Math.sqrt(LINES);
// Left and right read the lines through Hadamard rows 1 and 2 (orthogonal, so uncorrelated).
const LEFT = [1, -1, 1, -1, 1, -1, 1, -1];
const RIGHT = [1, 1, -1, -1, 1, 1, -1, -1];

// A Float32Array holding several delay lines back to back, each with its own write position.
class Lines {
  constructor(lengths) {
    this.count = lengths.length;
    this.start = new Int32Array(this.count);
    this.length = Int32Array.from(lengths);
    this.position = new Int32Array(this.count);
    let total = 0;
    for (let i = 0; i < this.count; i++) {
      this.start[i] = total;
      total += lengths[i];
    }
    this.data = new Float32Array(total);
  }
}

class Reverb extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = options.processorOptions;
    this.channels = o.channels;
    let size = 128;
    const reach = Math.max(o.preDelayFrames, ...o.tapFrames.flat()) + 1;
    while (size < reach + 128) size *= 2;
    this.ring = new Float32Array(size);
    this.mask = size - 1;
    this.frame = 0;
    this.tapFrames = o.tapFrames.map((f) => Int32Array.from(f));
    this.tapGains = o.tapGains.map((g) => Float32Array.from(g));
    this.preDelay = o.preDelayFrames;
    this.pinkPoles = Float64Array.from(o.pinkPoles);
    this.pinkWeights = Float64Array.from(o.pinkWeights);
    this.pinkState = new Float64Array(o.pinkPoles.length);
    this.pinkDirect = o.pinkDirect;
    this.diffusers = new Lines(o.diffuserFrames);
    this.diffuserGain = o.diffuserGain;
    this.lines = new Lines(o.lineFrames);
    this.lowGains = Float64Array.from(o.lowGains);
    this.midGains = Float64Array.from(o.midGains);
    this.highGains = Float64Array.from(o.highGains);
    this.lowCoefficient = 1 - o.lowPole;
    this.highCoefficient = 1 - o.highPole;
    this.lowState = new Float64Array(LINES);
    this.highState = new Float64Array(LINES);
    this.rows = new Float32Array(0);
    this.drive = new Float32Array(0);
    this.inputGain = o.inputGain;
    this.outputGain = o.outputGain;
    this.combs = o.combFrames.length > 0 ? new Lines(o.combFrames) : null;
    this.mono = new Float32Array(0);
    this.combFeedback = o.combFeedback;
    this.combGain = o.combGain;
    this.stopped = false;
    this.port.onmessage = (event) => {
      if (event.data && event.data.type === 'stop') this.stopped = true;
    };
  }

  process(inputs, outputs) {
    if (this.stopped) return false;
    const input = inputs[0];
    const output = outputs[0];
    const frames = output[0].length;
    if (this.mono.length !== frames) this.mono = new Float32Array(frames);
    const mono = this.mono;
    const scale = input.length > 0 ? 1 / input.length : 0;
    for (let i = 0; i < frames; i++) {
      let x = 0;
      for (let c = 0; c < input.length; c++) x += input[c][i];
      mono[i] = x * scale;
    }
    if (this.combs) this.resonate(mono, frames);
    for (let i = 0; i < frames; i++) this.ring[(this.frame + i) & this.mask] = mono[i];
    for (let c = 0; c < output.length; c++) {
      output[c].fill(0);
      this.early(output[c], this.tapFrames[Math.min(c, this.channels - 1)], this.tapGains[Math.min(c, this.channels - 1)], frames);
    }
    this.late(output, frames);
    this.frame += frames;
    return true;
  }

  // The early taps, added to the block one tap at a time (tight loops over the ring).
  early(out, positions, gains, frames) {
    const ring = this.ring;
    const mask = this.mask;
    for (let k = 0; k < positions.length; k++) {
      const gain = this.outputGain * gains[k];
      const from = this.frame - positions[k];
      for (let i = 0; i < frames; i++) out[i] += gain * ring[(from + i) & mask];
    }
  }

  // The late tail, added to the block. Every line is longer than a block (reverb-network.ts), so
  // the block's reads from a line were all written before it: the network runs line by line over
  // the whole block, then mixes the lines sample by sample, in tight loops over typed arrays.
  late(output, frames) {
    if (this.rows.length !== LINES * frames) {
      this.rows = new Float32Array(LINES * frames);
      this.drive = new Float32Array(frames);
    }
    const rows = this.rows, drive = this.drive;
    this.excite(drive, frames);
    const l = this.lines, data = l.data;
    const a = this.lowCoefficient, b = this.highCoefficient;
    const left = output[0], right = output.length > 1 && this.channels > 1 ? output[1] : null;
    const outGain = this.outputGain;
    for (let k = 0; k < LINES; k++) {
      const row = k * frames;
      // The line's next block, read across its wrap, sent to the outputs and filtered by its
      // loss. The band split: low = low-pass at the low corner, high = what a low-pass at the
      // high corner leaves; the three parts sum back to the line, each scaled by its band's loss.
      const begin = l.start[k], length = l.length[k];
      let at = l.position[k];
      const toLeft = outGain * LEFT[k], toRight = outGain * RIGHT[k];
      // (The Hadamard matrix's scale is taken here, once per line, rather than after it.)
      const mid = HADAMARD_SCALE * this.midGains[k];
      const dLow = HADAMARD_SCALE * this.lowGains[k] - mid, dHigh = HADAMARD_SCALE * this.highGains[k] - mid;
      let low = this.lowState[k], high = this.highState[k];
      for (let i = 0; i < frames; i++) {
        const s = data[begin + at];
        if (++at === length) at = 0;
        left[i] += toLeft * s;
        if (right) right[i] += toRight * s;
        low += a * (s - low);
        high += b * (s - high);
        rows[row + i] = mid * s + dLow * low + dHigh * (s - high);
      }
      this.lowState[k] = low;
      this.highState[k] = high;
    }
    // Fast Walsh–Hadamard transform across the lines, one butterfly row pair at a time; its last
    // stage (lines k and k + 4) writes the lines back, with the input added to each.
    const HALF = LINES / 2;
    for (let h = 1; h < HALF; h *= 2) {
      for (let j = 0; j < LINES; j += 2 * h) {
        for (let k = j; k < j + h; k++) {
          const p = k * frames, q = (k + h) * frames;
          for (let i = 0; i < frames; i++) {
            const x = rows[p + i], y = rows[q + i];
            rows[p + i] = x + y;
            rows[q + i] = x - y;
          }
        }
      }
    }
    for (let k = 0; k < HALF; k++) {
      const p = k * frames, q = (k + HALF) * frames;
      const beginP = l.start[k], lengthP = l.length[k];
      const beginQ = l.start[k + HALF], lengthQ = l.length[k + HALF];
      let atP = l.position[k], atQ = l.position[k + HALF];
      for (let i = 0; i < frames; i++) {
        const x = rows[p + i], y = rows[q + i];
        data[beginP + atP] = x + y + drive[i];
        data[beginQ + atQ] = x - y + drive[i];
        if (++atP === lengthP) atP = 0;
        if (++atQ === lengthQ) atQ = 0;
      }
      l.position[k] = atP;
      l.position[k + HALF] = atQ;
    }
  }

  // What enters every line over the block: the pre-delayed input, tilted pink, through the
  // diffusers, at the input gain.
  excite(drive, frames) {
    const ring = this.ring, mask = this.mask;
    const poles = this.pinkPoles, weights = this.pinkWeights, state = this.pinkState;
    const from = this.frame - this.preDelay;
    for (let i = 0; i < frames; i++) {
      const x = ring[(from + i) & mask];
      let u = this.pinkDirect * x;
      for (let k = 0; k < poles.length; k++) {
        state[k] = x + poles[k] * (state[k] - x);
        u += weights[k] * state[k];
      }
      drive[i] = u;
    }
    const d = this.diffusers, g = this.diffuserGain;
    for (let k = 0; k < d.count; k++) {
      const begin = d.start[k], length = d.length[k], data = d.data;
      let at = d.position[k];
      for (let i = 0; i < frames; i++) {
        const delayed = data[begin + at];
        const v = drive[i] + g * delayed;
        drive[i] = delayed - g * v;
        data[begin + at] = v;
        if (++at === length) at = 0;
      }
      d.position[k] = at;
    }
    for (let i = 0; i < frames; i++) drive[i] *= this.inputGain;
  }

  // Parallel feedback combs y = x + g·y[n − D] on the input, summed with the gain that keeps
  // the energy. They are linear, so ringing the input rings the whole wet sound, once for both
  // channels: the same modes left and right, as one metal body has.
  resonate(block, frames) {
    const combs = this.combs;
    const data = combs.data, start = combs.start, length = combs.length, position = combs.position;
    const feedback = this.combFeedback;
    const gain = this.combGain;
    for (let i = 0; i < frames; i++) {
      const x = block[i];
      let sum = 0;
      for (let k = 0; k < combs.count; k++) {
        const at = start[k] + position[k];
        const y = x + feedback * data[at];
        data[at] = y;
        sum += y;
        position[k] = position[k] + 1 === length[k] ? 0 : position[k] + 1;
      }
      block[i] = gain * sum;
    }
  }
}
registerProcessor('${REVERB_PROCESSOR}', Reverb);
`;
