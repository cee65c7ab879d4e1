/**
 * `live-pusher aac <in.wav> <out.aac> [--bitrate 128k]`: encodes a WAV file with the project's own
 * AAC-LC encoder into an ADTS stream.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { adtsFrame } from '../../media/aac/adts.js';
import { configProblem } from '../../media/aac/config.js';
import { AacEncoder } from '../../media/aac/encoder.js';
import { readWav } from '../../media/aac/wav.js';
import { FormatError } from '../../media/errors.js';
import { parseCommandLine } from './command-line.js';

const HELP = `Usage: live-pusher aac <in.wav> <out.aac> [options]

Encodes a WAV file (16/24-bit PCM or 32-bit float; mono or stereo; 48000, 44100, 32000,
24000, 22050 or 16000 Hz) to AAC-LC in an ADTS stream.

Options:
  --bitrate <rate>   target bitrate, e.g. 128k or 96000 (32k–256k; default 128k)
  -h, --help         this text

Exit status: 0 on success; 1 if the input cannot be read or encoded; 2 for a usage error.
`;

/** Parses "128k", "128K" or "128000" into bits per second; NaN when malformed. */
function parseBitrate(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([kK]?)$/.exec(text);
  if (!m) return NaN;
  return Math.round(Number(m[1]) * (m[2] ? 1000 : 1));
}

export async function runAac(argv: string[]): Promise<number> {
  const args = parseCommandLine('aac', HELP, argv, { bitrate: { type: 'string', default: '128k' } }, ['<in.wav>', '<out.aac>']);
  if (typeof args === 'number') return args;
  const [input, output] = args.positionals as [string, string];
  const bitrate = parseBitrate(args.values.bitrate);
  if (!Number.isFinite(bitrate)) {
    process.stderr.write(`live-pusher aac: --bitrate ${JSON.stringify(args.values.bitrate)} is not a rate like 128k\n`);
    return 2;
  }
  let wav;
  try {
    wav = readWav(await readFile(input));
  } catch (e) {
    if (e instanceof FormatError || (e as NodeJS.ErrnoException).code !== undefined) {
      process.stderr.write(`live-pusher aac: ${input}: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
  const config = { sampleRate: wav.sampleRate, numberOfChannels: wav.planes.length, bitrate };
  const problem = configProblem(config);
  if (problem) {
    process.stderr.write(`live-pusher aac: ${input}: cannot encode: ${problem}\n`);
    return 1;
  }
  const frames: Uint8Array[] = [];
  let failure: Error | null = null;
  const encoder = new AacEncoder({
    output: (chunk) => frames.push(adtsFrame(chunk.data, config.sampleRate, config.numberOfChannels)),
    error: (e) => (failure = e),
  });
  encoder.configure(config);
  encoder.encode({ timestamp: 0, sampleRate: wav.sampleRate, numberOfChannels: wav.planes.length, planes: wav.planes });
  await encoder.flush().catch(() => undefined);
  encoder.close();
  if (failure) {
    process.stderr.write(`live-pusher aac: encoding failed: ${(failure as Error).message}\n`);
    return 1;
  }
  const total = frames.reduce((n, f) => n + f.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  await writeFile(output, out);
  const seconds = wav.planes[0]!.length / wav.sampleRate;
  process.stderr.write(
    `live-pusher aac: ${output}: ${frames.length} frames, ${seconds.toFixed(2)} s, ` +
      `${((total * 8) / Math.max(seconds, 1e-9) / 1000).toFixed(1)} kbit/s with ADTS headers\n`,
  );
  return 0;
}
