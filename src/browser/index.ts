/**
 * live-pusher for the browser: importing this module registers `<live-pusher>` (spec §1) and
 * exports `createLivePusherContext` (spec §3). The RTMP publisher and formats of the
 * platform-neutral entry come along for apps that want them directly.
 */
import { defineLivePusher } from './element.js';

export * from '../index.js';
export { LivePusherElement, defineLivePusher, PUSHER_EVENTS, type PusherEventName } from './element.js';
export { LivePusherContext, createLivePusherContext } from './context.js';
export type { PusherState } from './pusher-session.js';

defineLivePusher();
