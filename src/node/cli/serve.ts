/**
 * `live-pusher serve`: the studio (src/node/studio/server.ts) on well-known ports when they are
 * free: the page on 8080, the embedded RTMP server on 1935; or, with `--rtmp-url`, the page
 * pushing to an external RTMP server (played back from `--play-url` when given).
 */
import http from 'node:http';
import { pickFreePort } from '../ingest/embedded-ingest.js';
import { startStudio } from '../studio/server.js';
import { parseCommandLine } from './command-line.js';

const HELP = `Usage: live-pusher serve [options]

Starts the studio: a page with a <live-pusher> that pushes through the tunnel gateway to an
embedded RTMP server, and a player that plays the stream back from it.

Options:
  --host <addr>        interface for the page and the RTMP server (default 127.0.0.1)
  --port <n>           page port (default 8080; a free one if 8080 is taken)
  --rtmp-port <n>      embedded RTMP port (default 1935; a free one if taken)
  --stream <app/name>  stream the page pushes and plays (default live/demo)
  --rtmp-url <url>     push to this RTMP server instead of the embedded one
                       (rtmp:// or rtmps://host[:port]/app/stream; the gateway allows it)
  --play-url <url>     with --rtmp-url: an HTTP-FLV address the page plays the stream back from
  --allow <pattern>    another RTMP target the gateway lets through, e.g. rtmp://live.example.com:1935
                       (repeatable)
  --allow-private      let the gateway reach private and loopback addresses
  -h, --help           this text
`;

export async function runServe(argv: string[]): Promise<number> {
  const args = parseCommandLine('serve', HELP, argv, {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8080' },
    'rtmp-port': { type: 'string', default: '1935' },
    stream: { type: 'string', default: 'live/demo' },
    'rtmp-url': { type: 'string' },
    'play-url': { type: 'string' },
    allow: { type: 'string', multiple: true, default: [] },
    'allow-private': { type: 'boolean', default: false },
  });
  if (typeof args === 'number') return args;
  const { values } = args;
  const port = parsePort(values.port, '--port');
  const rtmpPort = parsePort(values['rtmp-port'], '--rtmp-port');
  if (port === undefined || rtmpPort === undefined) {
    process.stderr.write(`\n${HELP}`);
    return 2;
  }
  if (values['play-url'] !== undefined && values['rtmp-url'] === undefined) {
    process.stderr.write(`live-pusher serve: --play-url needs --rtmp-url (the embedded server has its own playback address)\n`);
    return 2;
  }
  const host = values.host;
  const external = values['rtmp-url'];
  let studio;
  try {
    studio = await startStudio({
      host,
      port: await portOrFree(host, port),
      ...(external === undefined
        ? { rtmpPort: await portOrFree(host, rtmpPort), stream: values.stream }
        : { rtmpUrl: external, ...(values['play-url'] === undefined ? {} : { playUrl: values['play-url'] }) }),
      allow: values.allow,
      allowPrivate: values['allow-private'],
    });
  } catch (e) {
    process.stderr.write(`live-pusher serve: ${(e as Error).message}\n`);
    return 1;
  }
  process.stdout.write(
    `live-pusher studio\n` +
      `  studio:    ${studio.url}   <- open this in a browser\n` +
      `  push to:   ${studio.rtmpUrl}${studio.embedded ? '   (embedded node-media-server)' : ''}\n` +
      `  playback:  ${studio.flvUrl ?? '(none: pass --play-url to watch the stream in the page)'}\n` +
      `  gateway:   ${studio.gatewayUrl}\n` +
      (studio.embedded ? `  also try:  npx live-pusher push video.mp4 ${studio.rtmpUrl}\n` : '') +
      `  stop:      Ctrl-C\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await studio.close();
  return 0;
}

function parsePort(value: string, name: string): number | undefined {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    process.stderr.write(`live-pusher serve: ${name} ${JSON.stringify(value)} is not a port number\n`);
    return undefined;
  }
  return n;
}

/** The wanted port if it is free (0 means any), otherwise a free one: a first run must not fail on a busy port. */
async function portOrFree(host: string, wanted: number): Promise<number> {
  if (wanted === 0) return pickFreePort(host);
  const free = await new Promise<boolean>((resolve) => {
    const probe = http.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(wanted, host, () => probe.close(() => resolve(true)));
  });
  if (free) return wanted;
  const other = await pickFreePort(host);
  process.stderr.write(`port ${wanted} on ${host} is in use; using ${other} instead\n`);
  return other;
}
