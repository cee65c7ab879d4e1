/**
 * `live-pusher <command>`: the command-line entry. Each command lives in its own module and
 * returns its exit code; this file only dispatches and prints usage.
 */
import { readFileSync } from 'node:fs';

const USAGE = `live-pusher: the WeChat <live-pusher> for the web, and a pure-TypeScript RTMP publisher

Usage:
  live-pusher serve [options]                 the studio: page, tunnel gateway, embedded RTMP server
  live-pusher push <input> <rtmp-url> [opts]  publish an FLV or MP4 (H.264 + AAC) file
  live-pusher gateway --allow <pattern> [...]  the WebSocket tunnel alone, for production
  live-pusher aac <in.wav> <out.aac> [opts]   encode a WAV file with our AAC-LC encoder (ADTS)
  live-pusher help [command]                  this text, or a command's options
  live-pusher --version
`;

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  push: async () => (await import('./push.js')).runPush,
  serve: async () => (await import('./serve.js')).runServe,
  aac: async () => (await import('./aac.js')).runAac,
  gateway: async () => (await import('./gateway.js')).runGateway,
};

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const sub = rest[0] && commands[rest[0]];
    if (sub) return (await sub())(['--help']);
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`live-pusher: unknown command ${JSON.stringify(name)}\n\n${USAGE}`);
    return 2;
  }
  return (await load())(rest);
}
