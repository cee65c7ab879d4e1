import { FormatError, TruncatedError } from '../errors.js';

/**
 * A reader for RIFF/WAVE files (the input of `live-pusher aac`): PCM 16-bit and 24-bit
 * (format 1) and IEEE float 32-bit (format 3), also inside WAVE_FORMAT_EXTENSIBLE (0xFFFE).
 *
 *   "RIFF" u32le size "WAVE" then chunks: id (4 chars) u32le size, data, pad byte if size is odd
 *   "fmt ": u16le format, u16le channels, u32le rate, u32le byte rate, u16le block align,
 *           u16le bits per sample [, u16le cbSize, …, 16-byte subformat GUID whose first u16le is the format]
 *   "data": interleaved little-endian samples
 */

export interface WavAudio {
  sampleRate: number;
  /** One plane per channel, samples in [−1, 1]. */
  planes: Float32Array[];
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

function fourCC(view: DataView, offset: number): string {
  return String.fromCharCode(view.getUint8(offset), view.getUint8(offset + 1), view.getUint8(offset + 2), view.getUint8(offset + 3));
}

/** Parses a WAV file; throws FormatError (or TruncatedError) naming what is wrong. */
export function readWav(bytes: Uint8Array): WavAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12) throw new TruncatedError('WAV: file is shorter than the RIFF header');
  if (fourCC(view, 0) !== 'RIFF' || fourCC(view, 8) !== 'WAVE') throw new FormatError('WAV: not a RIFF/WAVE file');
  let format = -1;
  let channels = 0;
  let sampleRate = 0;
  let bits = 0;
  let blockAlign = 0;
  let data: { offset: number; size: number } | null = null;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = fourCC(view, offset);
    const size = view.getUint32(offset + 4, true); // ckSize
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + size > bytes.length) throw new FormatError('WAV: fmt chunk is too short');
      format = view.getUint16(body, true); // wFormatTag
      channels = view.getUint16(body + 2, true); // nChannels
      sampleRate = view.getUint32(body + 4, true); // nSamplesPerSec
      blockAlign = view.getUint16(body + 12, true); // nBlockAlign
      bits = view.getUint16(body + 14, true); // wBitsPerSample
      if (format === FORMAT_EXTENSIBLE) {
        if (size < 40) throw new FormatError('WAV: WAVE_FORMAT_EXTENSIBLE fmt chunk is too short');
        format = view.getUint16(body + 24, true); // SubFormat GUID, first two bytes
      }
    } else if (id === 'data') {
      // A streamed WAV may carry a size past the end; take what is there.
      data = { offset: body, size: Math.min(size, bytes.length - body) };
    }
    offset = body + size + (size & 1);
  }
  if (format < 0) throw new FormatError('WAV: no fmt chunk');
  if (!data) throw new FormatError('WAV: no data chunk');
  if (channels < 1) throw new FormatError('WAV: zero channels');
  const supported = (format === FORMAT_PCM && (bits === 16 || bits === 24)) || (format === FORMAT_FLOAT && bits === 32);
  if (!supported) {
    throw new FormatError(`WAV: unsupported sample format ${format} with ${bits} bits (need 16/24-bit PCM or 32-bit float)`);
  }
  const bytesPerSample = bits / 8;
  if (blockAlign !== bytesPerSample * channels) throw new FormatError(`WAV: block align ${blockAlign} does not match the format`);
  const frames = Math.floor(data.size / blockAlign);
  const planes = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      const at = data.offset + i * blockAlign + c * bytesPerSample;
      let v: number;
      if (format === FORMAT_FLOAT) v = view.getFloat32(at, true);
      else if (bits === 16) v = view.getInt16(at, true) / 32768;
      else v = ((view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getInt8(at + 2) << 16)) / 8388608);
      planes[c]![i] = v;
    }
  }
  return { sampleRate, planes };
}
