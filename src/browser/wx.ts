/**
 * `import 'live-pusher/wx'` (spec §3): installs `wx.createLivePusherContext()` for code ported from
 * a mini-program, next to any `wx` object the page already has.
 */
import { createLivePusherContext } from './context.js';
import { defineLivePusher } from './element.js';

defineLivePusher();

type Wx = { createLivePusherContext?: typeof createLivePusherContext } & Record<string, unknown>;
const host = globalThis as { wx?: Wx };
host.wx ??= {};
host.wx.createLivePusherContext = createLivePusherContext;

export { createLivePusherContext };
