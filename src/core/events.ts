/**
 * The events of `<live-pusher>` (spec §1): the mini-program's `bind<name>` becomes the DOM event
 * `<name>`, with an `on<name>` property too. Platform-neutral so that tests and tools running in
 * Node can name them without loading the element.
 */
export const PUSHER_EVENTS = [
  'statechange',
  'netstatus',
  'error',
  'bgmstart',
  'bgmprogress',
  'bgmcomplete',
  'audiovolumenotify',
  'enterpictureinpicture',
  'leavepictureinpicture',
] as const;
export type PusherEventName = (typeof PUSHER_EVENTS)[number];
