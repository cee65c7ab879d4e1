/**
 * Gives a TFLite model the input normalisation metadata that MediaPipe Tasks needs (spec §3
 * applySticker type `back`). The selfie segmentation model the @mediapipe/selfie_segmentation
 * package ships predates TFLite metadata: its graph fed it RGB scaled to 0–1 itself, and the Tasks
 * runtime refuses a float input without `NormalizationOptions` ("Input tensor has type float32:
 * it requires specifying NormalizationOptions metadata"). The model's bytes stay as they are;
 * a new root table goes in front of them (flatbuffer offsets are relative and point forwards, so
 * everything the old root referenced is still reachable), with the old buffers and metadata plus
 * one `TFLITE_METADATA` buffer holding a `ModelMetadata` (metadata_schema.fbs) whose input
 * tensor has the mean and standard deviation given. Pure: Node-tested.
 */

/** A flatbuffer object to lay out: a table (fields by id), a string, a vector, or one already in the old bytes. */
type FbNode =
  | { kind: 'table'; fields: readonly (FbField | undefined)[] }
  | { kind: 'string'; value: string }
  | { kind: 'bytes'; value: Uint8Array }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'offsets'; items: readonly FbNode[] }
  /** An object of the original model, at this position in its bytes. */
  | { kind: 'old'; pos: number };
type FbField = { u8: number } | { u32: number } | { ref: FbNode };

const table = (...fields: (FbField | undefined)[]): FbNode => ({ kind: 'table', fields });
const str = (value: string): FbField => ({ ref: { kind: 'string', value } });
const list = (...items: FbNode[]): FbField => ({ ref: { kind: 'offsets', items } });

/** tflite schema.fbs `Model` field ids. */
const MODEL = { version: 0, operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4, metadataBuffer: 5, metadata: 6, signatureDefs: 7 } as const;
const MODEL_FIELDS = 8;
/** metadata_schema.fbs: the ProcessUnitOptions union's NormalizationOptions member. */
const NORMALIZATION_OPTIONS = 1;
/** The name under which the TFLite runtime and MediaPipe look for the metadata buffer. */
const METADATA_NAME = 'TFLITE_METADATA';

/**
 * Lays objects out front to back: a table, then what it refers to after it, so every offset
 * points forwards as flatbuffers require. References to the old model are patched at the end,
 * once the new part's length (and so where the old bytes begin) is known.
 */
class ForwardWriter {
  private bytes = new Uint8Array(1024);
  private view = new DataView(this.bytes.buffer);
  length = 0;
  private readonly oldRefs: { at: number; pos: number }[] = [];

  private grow(n: number): number {
    const at = this.length;
    if (at + n > this.bytes.length) {
      const bigger = new Uint8Array(Math.max(this.bytes.length * 2, at + n));
      bigger.set(this.bytes);
      this.bytes = bigger;
      this.view = new DataView(bigger.buffer);
    }
    this.length += n;
    return at;
  }

  align(n: number, offset = 0): void {
    while ((this.length + offset) % n !== 0) this.grow(1);
  }

  u8(v: number): number {
    const at = this.grow(1);
    this.view.setUint8(at, v);
    return at;
  }

  u16(v: number): number {
    const at = this.grow(2);
    this.view.setUint16(at, v, true);
    return at;
  }

  u32(v: number): number {
    const at = this.grow(4);
    this.view.setUint32(at, v, true);
    return at;
  }

  setU32(at: number, v: number): void {
    this.view.setUint32(at, v, true);
  }

  /** A root: its offset and 4-character file identifier, then the root table. */
  root(identifier: string, node: FbNode): void {
    const at = this.u32(0);
    for (const c of identifier) this.u8(c.charCodeAt(0));
    this.refer(at, node);
  }

  /** Writes the uoffset at `at` to `node`, laying the node out first (after `at`). */
  private refer(at: number, node: FbNode): void {
    if (node.kind === 'old') {
      this.oldRefs.push({ at, pos: node.pos });
      return;
    }
    this.setU32(at, this.place(node) - at);
  }

  private place(node: FbNode): number {
    switch (node.kind) {
      case 'table':
        return this.placeTable(node.fields);
      case 'string': {
        const encoded = new TextEncoder().encode(node.value);
        this.align(4);
        const at = this.u32(encoded.length);
        for (const b of encoded) this.u8(b);
        this.u8(0);
        return at;
      }
      case 'bytes': {
        // Buffer.data is force_align 16 in schema.fbs: the bytes (after the length) start there.
        this.align(16, 4);
        const at = this.u32(node.value.length);
        const start = this.grow(node.value.length);
        this.bytes.set(node.value, start);
        return at;
      }
      case 'floats': {
        this.align(4);
        const at = this.u32(node.value.length);
        for (const v of node.value) {
          const slot = this.grow(4);
          this.view.setFloat32(slot, v, true);
        }
        return at;
      }
      case 'offsets': {
        this.align(4);
        const at = this.u32(node.items.length);
        const slots = node.items.map(() => this.u32(0));
        node.items.forEach((item, i) => this.refer(slots[i]!, item));
        return at;
      }
      case 'old':
        throw new Error('an object of the old model is referred to, not placed');
      default: {
        const never: never = node;
        return never;
      }
    }
  }

  /** vtable first, then the table (soffset back to it), then the objects its fields refer to. */
  private placeTable(fields: readonly (FbField | undefined)[]): number {
    // Field offsets within the table: the soffset, then each field at its own alignment.
    const offsets: number[] = [];
    let size = 4;
    for (const f of fields) {
      if (!f) {
        offsets.push(0);
        continue;
      }
      const width = 'u8' in f ? 1 : 4;
      size = Math.ceil(size / width) * width;
      offsets.push(size);
      size += width;
    }
    size = Math.ceil(size / 4) * 4;
    this.align(2);
    const vtable = this.u16(4 + 2 * fields.length);
    this.u16(size);
    for (const o of offsets) this.u16(o);
    this.align(4);
    const start = this.grow(size);
    this.bytes.fill(0, start, start + size);
    this.setU32(start, start - vtable);
    const refs: [number, FbNode][] = [];
    fields.forEach((f, i) => {
      if (!f) return;
      const at = start + offsets[i]!;
      if ('u8' in f) this.view.setUint8(at, f.u8);
      else if ('u32' in f) this.setU32(at, f.u32);
      else refs.push([at, f.ref]);
    });
    for (const [at, node] of refs) this.refer(at, node);
    return start;
  }

  /** The bytes laid out, with the old model's objects found `oldBase` bytes in. */
  finish(oldBase = 0): Uint8Array {
    for (const { at, pos } of this.oldRefs) this.setU32(at, oldBase + pos - at);
    return this.bytes.subarray(0, this.length);
  }
}

/** Reads a flatbuffer's tables (little-endian, as flatbuffers are). */
export class FbReader {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u32(pos: number): number {
    if (pos < 0 || pos + 4 > this.bytes.length) throw new RangeError(`offset ${pos} is outside the ${this.bytes.length}-byte model`);
    return this.view.getUint32(pos, true);
  }
  f32(pos: number): number {
    return this.view.getFloat32(pos, true);
  }
  /** The root table's position. */
  root(): number {
    return this.u32(0);
  }
  identifier(): string {
    return String.fromCharCode(...this.bytes.subarray(4, 8));
  }
  /** Where field `id` of the table at `t` is stored, or undefined when it is absent. */
  field(t: number, id: number): number | undefined {
    const vtable = t - this.view.getInt32(t, true);
    const vtableSize = this.view.getUint16(vtable, true);
    const offset = 4 + 2 * id < vtableSize ? this.view.getUint16(vtable + 4 + 2 * id, true) : 0;
    return offset ? t + offset : undefined;
  }
  /** The object field `id` of the table at `t` refers to, or undefined. */
  ref(t: number, id: number): number | undefined {
    const at = this.field(t, id);
    return at === undefined ? undefined : at + this.u32(at);
  }
  /** The objects a vector of offsets at `v` refers to. */
  items(v: number): number[] {
    return Array.from({ length: this.u32(v) }, (_, i) => v + 4 + 4 * i + this.u32(v + 4 + 4 * i));
  }
  string(s: number): string {
    return new TextDecoder().decode(this.bytes.subarray(s + 4, s + 4 + this.u32(s)));
  }
  /** A vector of bytes at `v`. */
  byteVector(v: number): Uint8Array {
    return this.bytes.subarray(v + 4, v + 4 + this.u32(v));
  }
  floats(v: number): number[] {
    return Array.from({ length: this.u32(v) }, (_, i) => this.f32(v + 4 + 4 * i));
  }
}

/** metadata_schema.fbs `ModelMetadata`: one subgraph, its one input normalised by `mean`/`std`, one output. */
function modelMetadata(mean: number, std: number): Uint8Array {
  const normalization = table({ ref: { kind: 'floats', value: [mean] } }, { ref: { kind: 'floats', value: [std] } });
  const input = table(str('input'), undefined, undefined, undefined, list(table({ u8: NORMALIZATION_OPTIONS }, { ref: normalization })));
  const output = table(str('segmentation'));
  const subgraph = table(undefined, undefined, list(input), list(output));
  const w = new ForwardWriter();
  w.root('M001', table(str('selfie segmentation'), undefined, undefined, list(subgraph), undefined, undefined, undefined, str('1.0.0')));
  return w.finish();
}

/**
 * `model` (a TFLite flatbuffer without input normalisation metadata) with a `TFLITE_METADATA`
 * buffer saying its one input is (x − mean) / std of the 0–255 RGB values. Throws on bytes that
 * are not a TFLite model.
 */
export function withNormalization(model: Uint8Array, mean: number, std: number): Uint8Array {
  const old = new FbReader(model);
  if (model.length < 8 || old.identifier() !== 'TFL3') throw new Error('not a TFLite model (no TFL3 identifier)');
  const root = old.root();
  const oldRef = (id: number): FbField | undefined => {
    const pos = old.ref(root, id);
    return pos === undefined ? undefined : { ref: { kind: 'old', pos } };
  };
  const oldItems = (id: number): FbNode[] => {
    const v = old.ref(root, id);
    return v === undefined ? [] : old.items(v).map((pos) => ({ kind: 'old', pos }));
  };
  const buffers = oldItems(MODEL.buffers);
  // Metadata entries other than an old TFLITE_METADATA (min_runtime_version and the like) stay.
  const metadata = oldItems(MODEL.metadata).filter((m) => {
    const name = old.ref((m as { pos: number }).pos, 0);
    return name === undefined || old.string(name) !== METADATA_NAME;
  });
  const versionAt = old.field(root, MODEL.version);
  const fields: (FbField | undefined)[] = Array.from({ length: MODEL_FIELDS }, (_, id) => oldRef(id));
  fields[MODEL.version] = versionAt === undefined ? undefined : { u32: old.u32(versionAt) };
  fields[MODEL.buffers] = list(...buffers, table({ ref: { kind: 'bytes', value: modelMetadata(mean, std) } }));
  fields[MODEL.metadata] = list(...metadata, table(str(METADATA_NAME), { u32: buffers.length }));
  const w = new ForwardWriter();
  w.root('TFL3', table(...fields));
  // The old bytes keep their alignment (flatbuffers align to at most 16).
  w.align(16);
  const front = w.finish(w.length);
  const out = new Uint8Array(front.length + model.length);
  out.set(front);
  out.set(model, front.length);
  return out;
}
