/**
 * `live-pusher gateway`: the tunnel gateway alone, for production (DESIGN.md, "What the product
 * is", 2). Browsers publish through it with `TunnelTransport`; it relays only to the targets its
 * `--allow` patterns name.
 */
import { Allowlist, AllowlistError } from '../gateway/allowlist.js';
import { createGateway, type GatewayEvent } from '../gateway/gateway.js';
import { parseCommandLine } from './command-line.js';

const HELP = `Usage: live-pusher gateway --allow <pattern> [--allow <pattern> ...] [options]

Runs the WebSocket tunnel that lets browsers publish RTMP: each tunnel carries the bytes of one
RTMP connection to a server the allowlist names. Runs until Ctrl-C (SIGINT) or SIGTERM.

Options:
  --allow <pattern>        rtmp(s)://host[:port] a tunnel may reach; host may be *.domain or *,
                           port may be * (default 1935 for rtmp, 443 for rtmps). Repeatable, required.
  --allow-private          also allow loopback/private/link-local addresses (trusted networks only;
                           a pattern naming an IP literal, like rtmp://127.0.0.1:*, allows it anyway)
  --port <n>               port to listen on (default 8090; 0 picks a free one)
  --host <addr>            interface to listen on (default 127.0.0.1)
  --path <path>            WebSocket path (default /tunnel)
  --max-connections <n>    tunnels at once (default 1000)
  --idle-timeout <s>       close tunnels idle this long (default 60; 0 never)
  --max-buffered <bytes>   per tunnel and direction before reading pauses (default 1048576)
  --connect-timeout <s>    TCP/TLS connect timeout (default 10)
  --json                   one JSON object per line per tunnel event
  -q, --quiet              print only the address
  -h, --help               this text

Exit status: 0 after Ctrl-C or SIGTERM; 1 when it cannot listen; 2 for a usage error.
`;

/** Parses a non-negative number option; undefined when absent. Throws TypeError naming it. */
function numberOption(name: string, value: string | undefined, scale = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new TypeError(`--${name} must be a number ≥ 0, not ${JSON.stringify(value)}`);
  return n * scale;
}

/**
 * Runs the gateway until SIGINT/SIGTERM (or `signal`, for tests); resolves with the exit code.
 * Prints `ws://host:port/path` on the first line of stdout.
 */
export async function runGateway(argv: string[], signal?: AbortSignal): Promise<number> {
  const args = parseCommandLine('gateway', HELP, argv, {
    allow: { type: 'string', multiple: true, default: [] },
    'allow-private': { type: 'boolean', default: false },
    port: { type: 'string', default: '8090' },
    host: { type: 'string', default: '127.0.0.1' },
    path: { type: 'string', default: '/tunnel' },
    'max-connections': { type: 'string' },
    'idle-timeout': { type: 'string' },
    'max-buffered': { type: 'string' },
    'connect-timeout': { type: 'string' },
    json: { type: 'boolean', default: false },
    quiet: { type: 'boolean', short: 'q', default: false },
  });
  if (typeof args === 'number') return args;
  const { values } = args;
  let options;
  try {
    if (values.allow.length === 0) throw new TypeError('at least one --allow pattern is required (the gateway is not an open relay)');
    for (const pattern of values.allow) Allowlist.validate(pattern);
    const port = numberOption('port', values.port)!;
    if (!Number.isInteger(port) || port > 65535) throw new TypeError(`--port must be 0–65535, not ${values.port}`);
    if (!values.path.startsWith('/')) throw new TypeError(`--path must start with /, not ${values.path}`);
    options = {
      allow: values.allow,
      allowPrivate: values['allow-private'],
      port,
      host: values.host,
      path: values.path,
      maxConnections: numberOption('max-connections', values['max-connections']),
      idleTimeoutMs: numberOption('idle-timeout', values['idle-timeout'], 1000),
      maxBufferedBytes: numberOption('max-buffered', values['max-buffered']),
      connectTimeoutMs: numberOption('connect-timeout', values['connect-timeout'], 1000),
    };
  } catch (e) {
    const why = e instanceof AllowlistError ? e.message.replace(/^allow\[0\]/, '--allow') : (e as Error).message;
    process.stderr.write(`live-pusher gateway: ${why}\n\n${HELP}`);
    return 2;
  }
  const log = values.quiet ? undefined : values.json ? (e: GatewayEvent) => process.stdout.write(`${JSON.stringify(e)}\n`) : humanLog;
  let gateway;
  try {
    gateway = await createGateway({
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
      allow: options.allow,
      ...(log ? { onEvent: log } : {}),
    });
  } catch (e) {
    process.stderr.write(`live-pusher gateway: cannot listen on ${options.host}:${options.port} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
    return 1;
  }
  const { url } = gateway.address();
  process.stdout.write(values.json ? `${JSON.stringify({ type: 'listening', url, allow: options.allow })}\n` : `${url}\n`);
  if (!values.quiet && !values.json) process.stdout.write(`allowing ${options.allow.join(', ')}${options.allowPrivate ? ' (private addresses too)' : ''}\n`);

  let stop = () => undefined as void;
  await new Promise<void>((resolve) => {
    stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    signal?.addEventListener('abort', stop, { once: true });
    if (signal?.aborted) stop();
  });
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await gateway.close();
  return 0;
}

function humanLog(event: GatewayEvent): void {
  const time = new Date().toISOString().slice(11, 19);
  switch (event.type) {
    case 'open':
      process.stdout.write(`${time} #${event.id} open ${event.target} (${event.address}) from ${event.remote}\n`);
      break;
    case 'refused':
      process.stdout.write(`${time} #${event.id} refused ${event.target ?? '(no target)'} from ${event.remote}: ${event.reason}: ${event.message}\n`);
      break;
    case 'close':
      process.stdout.write(`${time} #${event.id} closed ${event.target}: ${event.code} ${event.reason}, ${event.bytesToServer} bytes up, ${event.bytesToClient} down\n`);
      break;
    default: {
      const never: never = event;
      throw new TypeError(`unknown gateway event ${JSON.stringify(never)}`);
    }
  }
}
