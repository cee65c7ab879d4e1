/**
 * The page side of the end-to-end tests: a `<live-pusher id="under-test">` on the studio page
 * (the real bundle), its events recorded in the page, and its context methods called from Node.
 */
import type { Browser, Page } from 'playwright-core';
import { PUSHER_EVENTS } from '../../src/core/events.js';
import type { NetStatusInfo } from '../../src/core/netstatus.js';

/**
 * The events the page records: all of spec §1 but audiovolumenotify, which the element sends only
 * while someone listens (a listener here would change what the sound test observes).
 */
export const PUSHER_EVENT_TYPES = PUSHER_EVENTS.filter((type) => type !== 'audiovolumenotify');

export interface PusherEvent {
  type: string;
  detail: {
    code?: number;
    message?: string;
    info?: NetStatusInfo;
    errCode?: number;
    errMsg?: string;
    progress?: number;
    duration?: number;
    volume?: number;
  };
  /** performance.now() in the page when it fired. */
  at: number;
}

/**
 * Opens the studio page and adds a `<live-pusher id="under-test">` with `attributes`, recording
 * its events in `window.events`. The studio's own pusher stays idle (it has no autopush).
 */
export async function openPusher(browser: Browser, studioUrl: string, attributes: Record<string, string>): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(studioUrl);
  await page.evaluate(
    async ([attrs, types]) => {
      await customElements.whenDefined('live-pusher');
      const events: unknown[] = [];
      (window as unknown as { events: unknown[] }).events = events;
      const el = document.createElement('live-pusher');
      el.id = 'under-test';
      for (const type of types) el.addEventListener(type, (e) => events.push({ type, detail: (e as CustomEvent).detail, at: performance.now() }));
      for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
      document.body.append(el);
    },
    [attributes, PUSHER_EVENT_TYPES] as const,
  );
  return page;
}

/**
 * Makes the pusher under test open its devices through a `captureSource` that keeps every track
 * it hands out in `window.captured` (oldest first): the tests see which camera and microphone
 * tracks the element opened and stopped (the preview's stream carries only the pushed picture).
 * Call it before the element opens its devices (before start / startPreview, without autopush).
 */
export async function recordCaptureTracks(page: Page): Promise<void> {
  await page.evaluate(() => {
    const captured: MediaStreamTrack[] = [];
    (window as unknown as { captured: MediaStreamTrack[] }).captured = captured;
    (document.getElementById('under-test') as HTMLElement & { captureSource: unknown }).captureSource = async (c: MediaStreamConstraints) => {
      const stream = await navigator.mediaDevices.getUserMedia(c);
      captured.push(...stream.getTracks());
      return stream;
    };
  });
}

/** The events recorded so far. */
export function events(page: Page): Promise<PusherEvent[]> {
  return page.evaluate(() => (window as unknown as { events: PusherEvent[] }).events);
}

/** The statechange codes among `list`, in order. */
export function codes(list: PusherEvent[]): number[] {
  return list.filter((e) => e.type === 'statechange').map((e) => e.detail.code!);
}

/** Waits until a recorded event satisfies `predicate`, a JavaScript expression over `e`. */
export async function waitForEvent(page: Page, predicate: string, timeoutMs = 20_000): Promise<void> {
  await page.waitForFunction(
    (p) => (window as unknown as { events: PusherEvent[] }).events.some((e) => new Function('e', `return ${p}`)(e)),
    predicate,
    { timeout: timeoutMs, polling: 50 },
  );
}

/**
 * Calls a context method of the pusher under test; resolves with its result, or `{ errMsg }` of
 * its failure, and the page time it returned at.
 */
export function call(page: Page, method: string, args: object = {}): Promise<Record<string, unknown> & { errMsg?: string; at: number }> {
  return page.evaluate(
    async ([m, a]) => {
      const { createLivePusherContext } = (await import('/live-pusher.js' as string)) as {
        createLivePusherContext(id: string): Record<string, (o: object) => Promise<Record<string, unknown>>>;
      };
      let result: Record<string, unknown>;
      try {
        result = await createLivePusherContext('under-test')[m as string]!(a as object);
      } catch (e) {
        result = { errMsg: (e as Error).message };
      }
      return { ...result, at: performance.now() };
    },
    [method, args] as const,
  );
}

/**
 * Like {@link openPusher}, with the picture `imageUrl` (a data: URL works) as the camera: the
 * element's `captureSource` gets a canvas stream of it (the microphone stays Chromium's fake one).
 */
export async function openPusherWithPicture(browser: Browser, studioUrl: string, attributes: Record<string, string>, imageUrl: string, page?: Page): Promise<Page> {
  page ??= await browser.newPage();
  await page.goto(studioUrl);
  await page.evaluate(
    async ([attrs, url, types]) => {
      await customElements.whenDefined('live-pusher');
      const events: unknown[] = [];
      (window as unknown as { events: unknown[] }).events = events;
      const image = await createImageBitmap(await (await fetch(url)).blob());
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const g = canvas.getContext('2d')!;
      // Repainted on a timer: captureStream only sends a frame when the canvas changed.
      setInterval(() => g.drawImage(image, 0, 0), 1000 / 20);
      g.drawImage(image, 0, 0);
      const el = document.createElement('live-pusher') as HTMLElement & { captureSource: unknown };
      el.id = 'under-test';
      el.captureSource = async (c: MediaStreamConstraints) => {
        const stream = new MediaStream();
        if (c.video) for (const t of canvas.captureStream(20).getVideoTracks()) stream.addTrack(t);
        if (c.audio) for (const t of (await navigator.mediaDevices.getUserMedia({ audio: c.audio })).getAudioTracks()) stream.addTrack(t);
        return stream;
      };
      for (const type of types) el.addEventListener(type, (e) => events.push({ type, detail: (e as CustomEvent).detail, at: performance.now() }));
      for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
      document.body.append(el);
    },
    [attributes, imageUrl, PUSHER_EVENT_TYPES] as const,
  );
  return page;
}
