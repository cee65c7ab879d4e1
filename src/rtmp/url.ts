import { LivePusherError, StatusCode } from '../core/codes.js';

/** Where and what to publish, split out of an `rtmp://` or `rtmps://` address. */
export interface RtmpTarget {
  scheme: 'rtmp' | 'rtmps';
  host: string;
  port: number;
  /** First path segment: the RTMP application (`connect` command's `app`). */
  app: string;
  /** The rest of the path with its query string: the `publish` command's stream name. */
  streamName: string;
  /** `scheme://host[:port]/app`, sent as `tcUrl` in `connect`. */
  tcUrl: string;
}

const DEFAULT_PORT = { rtmp: 1935, rtmps: 443 } as const;

/**
 * Parses a publish address the way ffmpeg does: the first path segment is the app, everything
 * after it (query string included, since servers read auth tokens from it) is the stream name.
 * Anything else is refused with status 3002 and a message that says what was wrong.
 */
export function parseRtmpUrl(url: string): RtmpTarget {
  const fail = (why: string): never => {
    throw new LivePusherError(StatusCode.ConnectFailed, `invalid push url ${JSON.stringify(url)}: ${why}`);
  };
  if (typeof url !== 'string' || url.trim() === '') fail('empty');
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return fail('not a URL');
  }
  const scheme = parsed.protocol.slice(0, -1);
  if (scheme !== 'rtmp' && scheme !== 'rtmps') {
    return fail(`scheme ${scheme}: is not supported, use rtmp:// or rtmps://`);
  }
  if (!parsed.hostname) fail('no host');
  const port = parsed.port ? Number(parsed.port) : DEFAULT_PORT[scheme];
  const path = decodeURIComponent(parsed.pathname).replace(/^\/+/, '');
  const slash = path.indexOf('/');
  const app = slash < 0 ? path : path.slice(0, slash);
  const streamName = (slash < 0 ? '' : path.slice(slash + 1)) + parsed.search;
  if (!app) fail('no application (expected rtmp://host/app/stream)');
  if (!streamName) fail('no stream name (expected rtmp://host/app/stream)');
  // rtmp: is not a "special" scheme to the URL parser, so it leaves the host's case alone;
  // host names are case-insensitive, and allowlists compare them, so lower-case here.
  const hostPart = parsed.host.toLowerCase(); // keeps [::1] brackets and an explicit port
  const host = parsed.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return { scheme, host, port, app, streamName, tcUrl: `${scheme}://${hostPart}/${app}` };
}
