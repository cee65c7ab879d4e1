/**
 * Loads an effect's AudioWorklet module from its source string (a Blob URL, as the PCM tap does:
 * the package stays one file with no asset to serve), once per context and module: replacing one
 * effect with another while pushing then only builds nodes.
 */

/** Per context, the promise of each module source added to it. */
const modules = new WeakMap<BaseAudioContext, Map<string, Promise<void>>>();

/**
 * Adds `source` to `context`'s AudioWorklet unless it was already. Rejects with an Error that
 * starts with `effect` when the context has no AudioWorklet or the module cannot be loaded (a
 * Content-Security-Policy without blob: in script-src); a failed load is not cached, so the next
 * effect tries again.
 */
export function loadWorkletModule(context: BaseAudioContext, source: string, effect: string): Promise<void> {
  let byContext = modules.get(context);
  if (!byContext) {
    byContext = new Map();
    modules.set(context, byContext);
  }
  let loaded = byContext.get(source);
  if (!loaded) {
    loaded = addModule(context, source, effect);
    byContext.set(source, loaded);
    loaded.catch(() => byContext.delete(source));
  }
  return loaded;
}

async function addModule(context: BaseAudioContext, source: string, effect: string): Promise<void> {
  if (!context.audioWorklet) throw new Error(`${effect}: this browser has no AudioWorklet, which it runs in`);
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  try {
    await context.audioWorklet.addModule(url);
  } catch (e) {
    throw new Error(`${effect}: the AudioWorklet module could not be loaded (does a Content-Security-Policy refuse blob: scripts?): ${String(e)}`, { cause: e });
  } finally {
    URL.revokeObjectURL(url);
  }
}
