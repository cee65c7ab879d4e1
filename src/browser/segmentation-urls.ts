/**
 * Where the person segmentation worker and its runtime and model are (spec §3 applySticker type
 * `back`): beside the element's script, as the bundle (scripts/bundle.mjs) and the compiled
 * modules both put them. This module sits beside the element's entry for that reason: a URL
 * relative to `import.meta.url` must be resolved from the folder those files are in.
 */
export const SEGMENTATION_WORKER_URL = new URL('./segmentation-worker.js', import.meta.url);
export const SEGMENTATION_FILES_URL = new URL('./segmentation/', import.meta.url);
