#!/usr/bin/env node
// Bundles the browser side with esbuild: the element entry into dist/browser/live-pusher.js and
// the AAC and face landmark workers into their own files next to it (a worker is loaded by URL,
// so it cannot share the main bundle), and copies the landmark model's weights and tfjs's wasm
// binaries beside them into dist/browser/face-models/. ESM, ES2022 (what WebCodecs-capable browsers run), minified, with
// source maps. The person segmentation worker likewise, with MediaPipe's vision runtime and the
// selfie segmentation model copied into dist/browser/segmentation/. Then the compiled CLI into
// dist/node/cli-bundle/, which bin/live-pusher.js runs.
//
//   node scripts/bundle.mjs                   all bundles and the model files
//   node scripts/bundle.mjs --entry <file> --out <file> [--no-minify]
//                                             one extra entry (tests, demos)
//
// Also importable: `import { bundleBrowser, bundleCli, bundleEntry } from './scripts/bundle.mjs'`.
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The element entry (the package's browser API). */
export const BROWSER_ENTRY = 'src/browser/index.ts';
/** Output of the element bundle. */
export const BROWSER_OUT = 'dist/browser/live-pusher.js';
/**
 * Where the AAC worker's entry may live (first that exists wins): the worker is written by the AAC
 * encoder's owner; until it exists the script says so and bundles the rest.
 */
export const AAC_WORKER_ENTRIES = ['src/media/aac/worker.ts', 'src/browser/aac-worker.ts', 'src/media/aac/aac-worker.ts'];
/** Output of the worker bundle; the element resolves it relative to its own URL. */
export const AAC_WORKER_OUT = 'dist/browser/aac-worker.js';

/** The face landmark worker (issue 6 face-thinness, eye-bigness) and where it goes. */
export const FACE_WORKER_ENTRY = 'src/browser/effects/face-worker.ts';
export const FACE_WORKER_OUT = 'dist/browser/face-worker.js';
/** Where the model files go: the worker loads them relative to the element's URL. */
export const FACE_MODELS_OUT = 'dist/browser/face-models';
/**
 * The weights @vladmandic/face-api ships that the worker loads (its tiny face detector and the
 * 68-point landmark net), copied as they are: the package is their source, nothing is downloaded.
 */
export const FACE_MODEL_FILES = [
  'tiny_face_detector_model-weights_manifest.json',
  'tiny_face_detector_model.bin',
  'face_landmark_68_model-weights_manifest.json',
  'face_landmark_68_model.bin',
];
/**
 * tfjs's WebAssembly backend, which face-api's bundle contains without its binaries: the SIMD
 * build and the plain one (for a browser without wasm SIMD), from @tensorflow/tfjs-backend-wasm at
 * the tfjs version face-api was built on. Not the multi-threaded build: the worker turns threads
 * off (face-worker.ts `prepareWasm` says why).
 */
export const FACE_WASM_FILES = ['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm.wasm'];

/** The picture worker (issue 6: the stage's CPU route under software WebGL) and where it goes. */
export const PICTURE_WORKER_ENTRY = 'src/browser/effects/picture-worker.ts';
export const PICTURE_WORKER_OUT = 'dist/browser/picture-worker.js';

/** The person segmentation worker (spec §3 applySticker type `back`) and where it goes. */
export const SEGMENTATION_WORKER_ENTRY = 'src/browser/effects/segmentation-worker.ts';
export const SEGMENTATION_WORKER_OUT = 'dist/browser/segmentation-worker.js';
/** Where its runtime and model go: the worker loads them relative to the element's URL. */
export const SEGMENTATION_FILES_OUT = 'dist/browser/segmentation';
/**
 * Package → the files copied from it as they are: MediaPipe Tasks' vision runtime (the ES module
 * loader a module worker imports, and its SIMD wasm) and the selfie segmentation model the
 * legacy @mediapipe/selfie_segmentation package ships (nothing is downloaded at run time).
 */
export const SEGMENTATION_FILES = [
  ['@mediapipe/tasks-vision/wasm', 'vision_wasm_module_internal.js'],
  ['@mediapipe/tasks-vision/wasm', 'vision_wasm_module_internal.wasm'],
  ['@mediapipe/selfie_segmentation', 'selfie_segmentation.tflite'],
];

/**
 * Fails the build on any `node:` import: a browser bundle that reaches one is a layering bug
 * (DESIGN.md "Module layout": browser/ never imports node/), better named here than at run time.
 */
const noNodeBuiltins = {
  name: 'no-node-builtins',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({
      errors: [{ text: `browser bundle imports ${args.path} (from ${relative(root, args.importer)})` }],
    }));
  },
};

/** Options shared by every browser bundle. */
const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  plugins: [noNodeBuiltins],
  logLevel: 'warning',
  legalComments: 'none',
};

/** Bundles one entry to `outfile` (paths relative to the repository root). */
export async function bundleEntry(entry, outfile, { minify = true, sourcemap = true } = {}) {
  const result = await build({
    ...common,
    entryPoints: [resolve(root, entry)],
    outfile: resolve(root, outfile),
    minify,
    sourcemap: sourcemap ? 'linked' : false,
    metafile: true,
  });
  const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
  process.stderr.write(`[bundle] ${entry} → ${outfile} (${(bytes / 1024).toFixed(1)} KiB with map)\n`);
  return result;
}

/**
 * Copies the face model files and the wasm binaries from their packages into
 * {@link FACE_MODELS_OUT}, after checking that the binaries' tfjs is the one face-api bundles (the
 * backend's JavaScript and its wasm must come from one build).
 */
export async function copyFaceModels() {
  const faceApi = join(root, 'node_modules', '@vladmandic', 'face-api');
  const wasm = join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm');
  // dist/tfjs.version.js, minified: var i="4.22.0"; … "tfjs-backend-wasm":i
  const versions = await readFile(join(faceApi, 'dist', 'tfjs.version.js'), 'utf8');
  const binding = /"tfjs-backend-wasm":([\w$]+)/.exec(versions)?.[1];
  const version = binding && versions.split(`var ${binding}="`)[1]?.split('"')[0];
  const shipped = JSON.parse(await readFile(join(wasm, 'package.json'), 'utf8')).version;
  if (version !== shipped) throw new Error(`@tensorflow/tfjs-backend-wasm is ${shipped}, but face-api bundles tfjs-backend-wasm ${version ?? '(version not found)'}: install that version`);
  await mkdir(resolve(root, FACE_MODELS_OUT), { recursive: true });
  await Promise.all([
    ...FACE_MODEL_FILES.map((name) => copyFile(join(faceApi, 'model', name), resolve(root, FACE_MODELS_OUT, name))),
    ...FACE_WASM_FILES.map((name) => copyFile(join(wasm, 'dist', name), resolve(root, FACE_MODELS_OUT, name))),
  ]);
  process.stderr.write(`[bundle] face-api models and tfjs ${shipped} wasm → ${FACE_MODELS_OUT}/ (${FACE_MODEL_FILES.length + FACE_WASM_FILES.length} files)\n`);
}

/** Copies the segmentation runtime and model from their packages into {@link SEGMENTATION_FILES_OUT}. */
export async function copySegmentationFiles() {
  await mkdir(resolve(root, SEGMENTATION_FILES_OUT), { recursive: true });
  await Promise.all(SEGMENTATION_FILES.map(([from, name]) => copyFile(join(root, 'node_modules', from, name), resolve(root, SEGMENTATION_FILES_OUT, name))));
  process.stderr.write(`[bundle] segmentation runtime and model → ${SEGMENTATION_FILES_OUT}/ (${SEGMENTATION_FILES.length} files)\n`);
}

/** The element bundle, the workers (the AAC one when its source exists), the face models and the segmentation files. */
export async function bundleBrowser({ minify = true } = {}) {
  if (!existsSync(resolve(root, BROWSER_ENTRY))) throw new Error(`bundle: ${BROWSER_ENTRY} does not exist`);
  await bundleEntry(BROWSER_ENTRY, BROWSER_OUT, { minify });
  const worker = AAC_WORKER_ENTRIES.find((e) => existsSync(resolve(root, e)));
  if (worker) await bundleEntry(worker, AAC_WORKER_OUT, { minify });
  else process.stderr.write(`[bundle] no AAC worker entry yet (looked for ${AAC_WORKER_ENTRIES.join(', ')}); skipped\n`);
  await bundleEntry(FACE_WORKER_ENTRY, FACE_WORKER_OUT, { minify });
  await copyFaceModels();
  await bundleEntry(PICTURE_WORKER_ENTRY, PICTURE_WORKER_OUT, { minify });
  await bundleEntry(SEGMENTATION_WORKER_ENTRY, SEGMENTATION_WORKER_OUT, { minify });
  await copySegmentationFiles();
}

/** The compiled CLI entry the Node bundle starts from (run `tsc -p tsconfig.build.json` first). */
export const CLI_ENTRY = 'dist/node/cli/main.js';
/**
 * Where the CLI bundle goes: as deep as dist/node/cli/, so that paths the code builds from
 * import.meta.url (the package.json of `--version`) resolve the same from either.
 */
export const CLI_OUT_DIR = 'dist/node/cli-bundle';

/**
 * Keeps `serve`, `gateway` and `aac` out of the CLI bundle: they load on demand from the compiled
 * modules as before (the studio forks its ingest by its own file name, so it must stay a file).
 */
const otherCommandsExternal = {
  name: 'other-commands-external',
  setup(b) {
    b.onResolve({ filter: /^\.\/(serve|gateway|aac)\.js$/ }, (args) =>
      args.importer === resolve(root, CLI_ENTRY) ? { path: `../cli/${args.path.slice(2)}`, external: true } : undefined,
    );
  },
};

/**
 * The `live-pusher` command's code as a few files instead of the ~30 modules `push` imports:
 * resolving and loading each ESM module cost more CPU than a whole push of a short file (about
 * 15 ms of Node start-up in bench/rtmp). Code splitting keeps MP4 support (mediabunny) in its own
 * chunk, loaded only for an MP4 input; npm packages stay imports from node_modules.
 */
export async function bundleCli() {
  if (!existsSync(resolve(root, CLI_ENTRY))) throw new Error(`bundle: ${CLI_ENTRY} does not exist; run tsc -p tsconfig.build.json first`);
  // Chunk names carry content hashes: clear the last build's so none lingers.
  rmSync(resolve(root, CLI_OUT_DIR), { recursive: true, force: true });
  const result = await build({
    entryPoints: [resolve(root, CLI_ENTRY)],
    outdir: resolve(root, CLI_OUT_DIR),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    plugins: [otherCommandsExternal],
    logLevel: 'warning',
    legalComments: 'none',
    metafile: true,
  });
  const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
  process.stderr.write(`[bundle] ${CLI_ENTRY} → ${CLI_OUT_DIR}/ (${(bytes / 1024).toFixed(1)} KiB)\n`);
  return result;
}

function argValue(args, name) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const minify = !args.includes('--no-minify');
  const entry = argValue(args, '--entry');
  try {
    if (entry) {
      const out = argValue(args, '--out');
      if (!out) throw new Error('--entry needs --out');
      await bundleEntry(relative(root, resolve(entry)), relative(root, resolve(out)), { minify });
    } else {
      await bundleBrowser({ minify });
      await bundleCli();
    }
  } catch (e) {
    process.stderr.write(`[bundle] failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
