/**
 * `live-pusher push <input> <rtmp-url>`: publish a file in real time, like
 * `ffmpeg -re -i input -c copy -f flv url`. Prints progress for people, or with `--json` one
 * JSON object per line per event, in the element's event shapes (spec §1 events).
 */
import { LivePusherError, type StatusCode } from '../../core/codes.js';
import type { NetStatusInfo } from '../../core/netstatus.js';
import { FormatError } from '../../media/errors.js';
import { pushFile } from '../push-file.js';
import { parseCommandLine } from './command-line.js';

const HELP = `Usage: live-pusher push <input.flv|input.mp4> <rtmp://host[:port]/app/stream> [options]

Publishes an FLV or MP4 (H.264 + AAC) file to an RTMP server, paced by its timestamps.

Options:
  --no-realtime   send as fast as the server reads, not at the file's pace
  --loop          start over at the end (timestamps keep increasing) until Ctrl-C
  --json          one JSON object per line per event, for scripts
  -h, --help      this text

Exit status: 0 when the whole input was published and the server confirmed it;
1 on failure (the last status code is printed); 2 for a usage error; 130 after Ctrl-C.
`;

export async function runPush(argv: string[]): Promise<number> {
  const args = parseCommandLine(
    'push',
    HELP,
    argv,
    {
      'no-realtime': { type: 'boolean', default: false },
      loop: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    ['<input>', '<rtmp-url>'],
  );
  if (typeof args === 'number') return args;
  const [input, url] = args.positionals as [string, string];
  const json = args.values.json;
  const out = json ? jsonPrinter() : humanPrinter();
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const result = await pushFile({
      input,
      url,
      realtime: !args.values['no-realtime'],
      loop: args.values.loop,
      signal: controller.signal,
      onStatus: (code, message) => out.status(code, message),
      onNetStatus: (info) => out.netStatus(info),
    });
    out.done(result.durationMs, result.tags);
    return result.aborted ? 130 : 0;
  } catch (e) {
    if (e instanceof LivePusherError) out.error(e.code, e.message);
    else if (e instanceof FormatError) out.error(undefined, `invalid input ${input}: ${e.message}`);
    else if ((e as NodeJS.ErrnoException).code === 'ENOENT') out.error(undefined, `cannot open ${input}: no such file`);
    else out.error(undefined, `${(e as Error).message ?? String(e)}`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

interface Printer {
  status(code: StatusCode, message: string): void;
  netStatus(info: NetStatusInfo): void;
  error(code: number | undefined, message: string): void;
  done(durationMs: number, tags: number): void;
}

function jsonPrinter(): Printer {
  const line = (obj: object) => process.stdout.write(`${JSON.stringify(obj)}\n`);
  return {
    status: (code, message) => line({ event: 'statechange', code, message }),
    netStatus: (info) => line({ event: 'netstatus', info }),
    // errCode -1 for failures outside the spec's codes (a missing or damaged input file).
    error: (code, message) => line({ event: 'error', errCode: code ?? -1, errMsg: message }),
    done: (durationMs, tags) => line({ event: 'complete', durationMs, tags }),
  };
}

function humanPrinter(): Printer {
  const tty = process.stderr.isTTY === true;
  let progressShown = false;
  const clear = () => {
    if (tty && progressShown) process.stderr.write('\r\x1b[K');
    progressShown = false;
  };
  return {
    status: (code, message) => {
      clear();
      process.stderr.write(`[${code}] ${message}\n`);
    },
    netStatus: (info) => {
      const text =
        `video ${info.videoBitrate} kbps ${info.videoFPS} fps ${info.videoWidth}x${info.videoHeight}  ` +
        `audio ${info.audioBitrate} kbps  sent ${info.netSpeed} kbps  waiting ${info.videoCache}v/${info.audioCache}a`;
      if (tty) {
        process.stderr.write(`\r\x1b[K${text}`);
        progressShown = true;
      } else {
        process.stderr.write(`${text}\n`);
      }
    },
    error: (code, message) => {
      clear();
      process.stderr.write(code === undefined ? `error: ${message}\n` : `error ${code}: ${message}\n`);
    },
    done: (durationMs, tags) => {
      clear();
      process.stderr.write(`published ${(durationMs / 1000).toFixed(1)} s of media in ${tags} tags\n`);
    },
  };
}
