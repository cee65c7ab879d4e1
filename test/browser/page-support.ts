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

/** An effect stage of the sound graph, as the voice changer and the reverb give one. */
interface AudioStage {
  readonly input: AudioNode;
  readonly output: AudioNode;
  dispose?(): void;
}

/**
 * Plays `source` through `first` into the destination, and from `at` seconds through the stage
 * `makeSecond` gives (the offline context suspended for the swap): a live switch, rendered.
 */
export function swapStageAt(context: OfflineAudioContext, source: AudioNode, first: AudioStage, at: number, makeSecond: () => Promise<AudioStage>): void {
  source.connect(first.input);
  first.output.connect(context.destination);
  void context.suspend(at).then(async () => {
    const second = await makeSecond();
    source.disconnect(first.input);
    first.output.disconnect();
    source.connect(second.input);
    second.output.connect(context.destination);
    first.dispose?.();
    await context.resume();
  });
}
