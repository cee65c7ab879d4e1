/**
 * Entry point of the person segmentation worker (spec §3 applySticker type `back`): MediaPipe's
 * selfie segmentation model (`selfie_segmentation.tflite`, as the @mediapipe/selfie_segmentation
 * package ships it) run by the MediaPipe Tasks vision runtime (@mediapipe/tasks-vision's wasm, on
 * its CPU delegate: XNNPACK, a few ms at 256×256, where a software WebGL would be slower). One
 * picture at a time; the element sends the next only once the answer is back.
 */
import { ImageSegmenter } from '@mediapipe/tasks-vision';
import { withNormalization } from './tflite-metadata.js';
import type { SegmentationReply, SegmentationRequest } from './segmentation-protocol.js';

const scope = self as unknown as { postMessage(message: SegmentationReply, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<SegmentationRequest>) => void) | null };
let segmenter: Promise<ImageSegmenter> | undefined;

scope.onmessage = (event) => {
  const request = event.data;
  switch (request.type) {
    case 'init':
      segmenter = init(request);
      segmenter.then(
        () => scope.postMessage({ type: 'ready' }),
        (e: unknown) => scope.postMessage({ type: 'failed', message: e instanceof Error ? e.message : String(e) }),
      );
      return;
    case 'segment':
      void segment(request.id, request.image);
      return;
    default: {
      const never: never = request;
      return never;
    }
  }
};

async function init({ wasmLoaderUrl, wasmBinaryUrl, modelUrl }: Extract<SegmentationRequest, { type: 'init' }>): Promise<ImageSegmenter> {
  const response = await fetch(modelUrl);
  if (!response.ok) throw new Error(`could not load ${modelUrl}: HTTP ${response.status}`);
  // The model takes RGB scaled to 0–1 (its MediaPipe graph's ImageToTensor range), which it
  // does not say in metadata of its own.
  const model = withNormalization(new Uint8Array(await response.arrayBuffer()), 0, 255);
  return ImageSegmenter.createFromOptions(
    { wasmLoaderPath: wasmLoaderUrl, wasmBinaryPath: wasmBinaryUrl },
    { baseOptions: { modelAssetBuffer: model, delegate: 'CPU' }, runningMode: 'IMAGE', outputConfidenceMasks: true, outputCategoryMask: false },
  );
}

async function segment(id: number, image: ImageData): Promise<void> {
  try {
    const model = await segmenter!;
    const start = performance.now();
    const result = model.segment(image);
    try {
      // The selfie model has one output: the person's confidence (0–1) per pixel.
      const masks = result.confidenceMasks;
      const confidence = masks?.[masks.length - 1];
      if (!confidence) throw new Error('the segmentation model gave no mask');
      const values = confidence.getAsFloat32Array();
      const mask = new Uint8Array(values.length);
      for (let i = 0; i < values.length; i++) mask[i] = values[i]! * 255 + 0.5;
      const ms = performance.now() - start;
      scope.postMessage({ type: 'mask', id, mask, width: confidence.width, height: confidence.height, ms }, [mask.buffer]);
    } finally {
      result.close();
    }
  } catch (e) {
    scope.postMessage({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
  }
}
