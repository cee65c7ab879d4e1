/**
 * Helpers for code that runs inside the test page (bundled with it; no Node imports here).
 */

/** POSTs bytes to the harness, which keeps them under `name` for {@link TestPage.upload}. */
export async function uploadFromPage(name: string, bytes: Uint8Array | Blob): Promise<void> {
  const response = await fetch(`/upload/${encodeURIComponent(name)}`, { method: 'POST', body: bytes as BodyInit });
  if (!response.ok) throw new Error(`upload of ${name} failed: HTTP ${response.status}`);
}

/** Marks the page's module as loaded; {@link openTestPage} waits for it. */
export function markReady(api: Record<string, unknown>): void {
  Object.assign(globalThis, api, { __testReady: true });
}

/** Counts addModule calls on a context's worklet (an effect must load its module once per context). */
export function countAddModule(context: BaseAudioContext): { calls: number } {
  const counter = { calls: 0 };
  const worklet = context.audioWorklet;
  const addModule = worklet.addModule.bind(worklet);
  worklet.addModule = (url, options) => {
    counter.calls++;
    return addModule(url, options);
  };
  return counter;
}
