/**
 * The normalisation metadata given to the selfie segmentation model (tflite-metadata.ts), read
 * back with the flatbuffer reader: the new root keeps every object of the old model, and the
 * added TFLITE_METADATA buffer is a ModelMetadata ("M001") whose input has the mean and std.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { FbReader, withNormalization } from '../../src/browser/effects/tflite-metadata.js';

const MODEL_PATH = createRequire(import.meta.url).resolve('@mediapipe/selfie_segmentation/selfie_segmentation.tflite');
/** tflite schema.fbs field ids used below. */
const [SUBGRAPHS, BUFFERS, METADATA] = [2, 4, 6];

/** The old model's subgraph layout: tensor names of subgraph 0 (what the interpreter reads). */
function tensorNames(r: FbReader): string[] {
  const subgraph = r.items(r.ref(r.root(), SUBGRAPHS)!)[0]!;
  return r.items(r.ref(subgraph, 0)!).map((t) => r.string(r.ref(t, 3)!));
}

test('the model gets a ModelMetadata with its input normalisation; everything else stays reachable', async () => {
  const model = new Uint8Array(await readFile(MODEL_PATH));
  const out = withNormalization(model, 0, 255);
  const before = new FbReader(model);
  const after = new FbReader(out);
  assert.equal(after.identifier(), 'TFL3');
  assert.deepEqual(tensorNames(after), tensorNames(before));
  assert.ok(tensorNames(after).length > 10);
  const oldBuffers = before.items(before.ref(before.root(), BUFFERS)!);
  const buffers = after.items(after.ref(after.root(), BUFFERS)!);
  assert.equal(buffers.length, oldBuffers.length + 1);
  // The old weights are the same bytes, still 16-byte aligned (schema.fbs force_align).
  for (const [i, b] of oldBuffers.entries()) {
    const data = before.ref(b, 0);
    if (data === undefined) continue;
    const moved = after.ref(buffers[i]!, 0)!;
    assert.deepEqual(after.byteVector(moved), before.byteVector(data));
    assert.equal((moved + 4) % 16, (data + 4) % 16);
  }
  const entries = after.items(after.ref(after.root(), METADATA)!).map((m) => [after.string(after.ref(m, 0)!), after.u32(after.field(m, 1)!)] as const);
  const oldEntries = before.ref(before.root(), METADATA) === undefined ? 0 : before.items(before.ref(before.root(), METADATA)!).length;
  assert.equal(entries.length, oldEntries + 1);
  assert.deepEqual(entries.at(-1), ['TFLITE_METADATA', oldBuffers.length]);

  const meta = new FbReader(after.byteVector(after.ref(buffers.at(-1)!, 0)!));
  assert.equal(meta.identifier(), 'M001');
  const subgraph = meta.items(meta.ref(meta.root(), 3)!)[0]!;
  const input = meta.items(meta.ref(subgraph, 2)!)[0]!;
  const unit = meta.items(meta.ref(input, 4)!)[0]!;
  assert.equal(meta.bytes[meta.field(unit, 0)!], 1, 'options: NormalizationOptions');
  const normalization = meta.ref(unit, 1)!;
  assert.deepEqual(meta.floats(meta.ref(normalization, 0)!), [0]);
  assert.deepEqual(meta.floats(meta.ref(normalization, 1)!), [255]);
  assert.equal(meta.items(meta.ref(subgraph, 3)!).length, 1, 'one output tensor');
});

test('bytes that are no TFLite model are refused', () => {
  assert.throws(() => withNormalization(new Uint8Array(64), 0, 255), /not a TFLite model/);
});
