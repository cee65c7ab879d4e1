/**
 * Incremental FLV demuxer (FLV spec v10.1 §E.2–§E.4.1). Bytes arrive in pieces of any size — a
 * file read in chunks, a socket — and complete tags come out as soon as their last byte is in.
 * Memory stays bounded: a tag whose DataSize exceeds `maxTagSize` is refused before any of its
 * body is buffered.
 */
import { FormatError, TruncatedError } from '../errors.js';
import {
  type FlvHeader,
  type FlvTagHeader,
  FLV_HEADER_SIZE,
  FLV_PREVIOUS_TAG_SIZE_SIZE,
  FLV_TAG_HEADER_SIZE,
  parseFlvHeader,
  parseFlvTagHeader,
} from './header.js';
import type { FlvTag } from './tag.js';

/** Options of {@link FlvReader}. */
export interface FlvReaderOptions {
  /**
   * Largest tag body accepted, in bytes (default 8 MiB; DataSize itself allows up to 16 MiB − 1).
   * Larger tags throw {@link FormatError}.
   */
  maxTagSize?: number;
  /**
   * Check each PreviousTagSize against the tag before it (default true). A mismatch means the
   * stream is corrupt or misaligned, so it throws {@link FormatError}.
   */
  checkPreviousTagSize?: boolean;
  /**
   * Tags own copies of their data (default true). False hands out views into the pushed piece
   * instead (a tag that straddled two pieces is still a copy), valid only until the caller reuses
   * that piece's memory: for a consumer that is done with each batch of tags before it reads
   * again. Copying each tag into new memory cost a file push about as much CPU as sending it.
   */
  copy?: boolean;
}

const FLV_SIGNATURE = [0x46, 0x4c, 0x56]; // 'FLV'

/** Default {@link FlvReaderOptions.maxTagSize}. */
export const DEFAULT_MAX_FLV_TAG_SIZE = 8 * 1024 * 1024;

/** What the reader waits for next. */
type State =
  | { kind: 'header' }
  | { kind: 'header-padding'; left: number }
  | { kind: 'previous-tag-size' }
  | { kind: 'tag-header' }
  | { kind: 'tag-body'; header: FlvTagHeader };

// The states a tag passes through without data of their own, shared rather than allocated per tag.
const PREVIOUS_TAG_SIZE: State = { kind: 'previous-tag-size' };
const TAG_HEADER: State = { kind: 'tag-header' };

/**
 * Push bytes in, get tags out:
 *
 * ```ts
 * const reader = new FlvReader();
 * for await (const chunk of stream) for (const tag of reader.push(chunk)) publish(tag);
 * reader.end();
 * ```
 *
 * Tags returned own their `data` (copies), so the caller may keep them and reuse its chunks
 * (unless `copy: false`).
 * After a {@link FormatError} the reader is unusable: every later call throws the same error.
 */
export class FlvReader {
  /** The file header, once its bytes have arrived. */
  header: FlvHeader | undefined;

  private readonly maxTagSize: number;
  private readonly checkPreviousTagSize: boolean;
  private readonly copy: boolean;
  private state: State = { kind: 'header' };
  /** Size of the last tag (header + body), which the next PreviousTagSize must repeat. */
  private lastTagSize = 0;
  private buf = new Uint8Array(4096);
  private start = 0;
  private end_ = 0;
  private failed: FormatError | undefined;

  constructor(options: FlvReaderOptions = {}) {
    this.maxTagSize = options.maxTagSize ?? DEFAULT_MAX_FLV_TAG_SIZE;
    this.checkPreviousTagSize = options.checkPreviousTagSize ?? true;
    this.copy = options.copy ?? true;
  }

  /** Bytes received but not yet consumed (at most one tag header or body in progress). */
  get buffered(): number {
    return this.end_ - this.start;
  }

  /** Feeds the next piece of the stream; returns the tags it completed, in order. */
  push(bytes: Uint8Array): FlvTag[] {
    if (this.failed) throw this.failed;
    const tags: FlvTag[] = [];
    try {
      for (let at = 0; at < bytes.length; ) {
        if (this.buffered === 0 && (this.state === PREVIOUS_TAG_SIZE || this.state === TAG_HEADER)) {
          at = this.readInPlace(bytes, at, tags);
          if (at === bytes.length) break;
        }
        // A unit split across pieces: buffer only the bytes it still lacks, so that the rest of
        // the piece is read in place rather than copied into the buffer first.
        const n = Math.min(this.missing(), bytes.length - at);
        this.append(bytes.subarray(at, at + n));
        at += n;
        for (;;) {
          const tag = this.step();
          if (tag === 'need-more') break;
          if (tag) tags.push(tag);
        }
      }
    } catch (e) {
      if (e instanceof FormatError) this.failed = e;
      throw e;
    }
    return tags;
  }

  /**
   * Reads whole PreviousTagSize + tag units straight from `bytes` from `at`, with nothing
   * buffered; returns where the first incomplete unit starts. The per-tag path of every file push.
   */
  private readInPlace(bytes: Uint8Array, at: number, tags: FlvTag[]): number {
    for (;;) {
      if (this.state === PREVIOUS_TAG_SIZE) {
        if (bytes.length - at < FLV_PREVIOUS_TAG_SIZE_SIZE) return at;
        this.verifyPreviousTagSize(((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0);
        at += FLV_PREVIOUS_TAG_SIZE_SIZE;
        this.state = TAG_HEADER;
      }
      if (bytes.length - at < FLV_TAG_HEADER_SIZE) return at;
      const header = parseFlvTagHeader(bytes, at);
      this.checkTagSize(header.dataSize);
      const bodyAt = at + FLV_TAG_HEADER_SIZE;
      if (bytes.length - bodyAt < header.dataSize) return at; // the header is read again once buffered
      tags.push({ type: header.type, timestamp: header.timestamp, data: this.body(bytes.subarray(bodyAt, bodyAt + header.dataSize)) });
      this.lastTagSize = FLV_TAG_HEADER_SIZE + header.dataSize;
      this.state = PREVIOUS_TAG_SIZE;
      at = bodyAt + header.dataSize;
    }
  }

  /** A tag body read in place from the caller's piece: a copy, or the view itself when the caller borrows. */
  private body(view: Uint8Array): Uint8Array {
    return this.copy ? view.slice() : view;
  }

  /** How many more bytes the unit being buffered needs (at least 1 when `step` wants more). */
  private missing(): number {
    const state = this.state;
    switch (state.kind) {
      case 'header':
        return Math.max(1, FLV_HEADER_SIZE - this.buffered);
      case 'header-padding':
        return Math.max(1, state.left);
      case 'previous-tag-size':
        return Math.max(1, FLV_PREVIOUS_TAG_SIZE_SIZE - this.buffered);
      case 'tag-header':
        return Math.max(1, FLV_TAG_HEADER_SIZE - this.buffered);
      case 'tag-body':
        return Math.max(1, state.header.dataSize - this.buffered);
      default:
        return assertNever(state);
    }
  }

  private verifyPreviousTagSize(previousTagSize: number): void {
    if (this.checkPreviousTagSize && previousTagSize !== this.lastTagSize) {
      throw new FormatError(`FLV PreviousTagSize is ${previousTagSize}, the tag before it had ${this.lastTagSize} bytes`);
    }
  }

  private checkTagSize(dataSize: number): void {
    if (dataSize > this.maxTagSize) {
      throw new FormatError(`FLV tag of ${dataSize} bytes exceeds the ${this.maxTagSize}-byte limit`);
    }
  }

  /**
   * Declares the end of the stream. Throws {@link TruncatedError} if it stopped inside the header
   * or a tag. A missing final PreviousTagSize is tolerated: it carries no data.
   */
  end(): void {
    if (this.failed) throw this.failed;
    const kind = this.state.kind;
    const atBoundary = (kind === 'tag-header' || kind === 'previous-tag-size') && this.buffered === 0;
    if (!atBoundary) {
      this.failed = new TruncatedError(`FLV stream ended inside ${kind} with ${this.buffered} byte(s) pending`);
      throw this.failed;
    }
  }

  /** Consumes one unit if its bytes are all in: a tag, `undefined` for a non-tag unit, or 'need-more'. */
  private step(): FlvTag | undefined | 'need-more' {
    const state = this.state;
    switch (state.kind) {
      case 'header': {
        // Check the signature as soon as it is in, so a wrong file fails on its first bytes.
        for (let i = 0; i < Math.min(this.buffered, 3); i++) {
          if (this.buf[this.start + i] !== FLV_SIGNATURE[i]) {
            throw new FormatError(`not an FLV stream: byte ${i} is 0x${this.buf[this.start + i]!.toString(16)}, expected 'FLV'`);
          }
        }
        if (this.buffered < FLV_HEADER_SIZE) return 'need-more';
        const header = parseFlvHeader(this.take(FLV_HEADER_SIZE));
        if (header.dataOffset - FLV_HEADER_SIZE > this.maxTagSize) {
          throw new FormatError(`FLV DataOffset ${header.dataOffset} is implausibly large`);
        }
        this.header = header;
        this.state = { kind: 'header-padding', left: header.dataOffset - FLV_HEADER_SIZE };
        return undefined;
      }
      case 'header-padding': {
        // Bytes between the 9-byte header and DataOffset belong to a later header version: skip.
        const n = Math.min(state.left, this.buffered);
        this.start += n;
        if (n < state.left) {
          this.state = { kind: 'header-padding', left: state.left - n };
          return 'need-more';
        }
        this.state = PREVIOUS_TAG_SIZE;
        return undefined;
      }
      case 'previous-tag-size': {
        if (this.buffered < FLV_PREVIOUS_TAG_SIZE_SIZE) return 'need-more';
        const p = this.take(FLV_PREVIOUS_TAG_SIZE_SIZE);
        this.verifyPreviousTagSize(((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0);
        this.state = TAG_HEADER;
        return undefined;
      }
      case 'tag-header': {
        if (this.buffered < FLV_TAG_HEADER_SIZE) return 'need-more';
        const header = parseFlvTagHeader(this.take(FLV_TAG_HEADER_SIZE));
        this.checkTagSize(header.dataSize);
        this.state = { kind: 'tag-body', header };
        return undefined;
      }
      case 'tag-body': {
        const { header } = state;
        if (this.buffered < header.dataSize) return 'need-more';
        // Assembled in the reader's own buffer, which the rest of this piece may overwrite (the
        // next partial unit, compacted to the front): always a copy. One tag per piece at most.
        const data = this.take(header.dataSize).slice();
        this.lastTagSize = FLV_TAG_HEADER_SIZE + header.dataSize;
        this.state = PREVIOUS_TAG_SIZE;
        return { type: header.type, timestamp: header.timestamp, data };
      }
      default:
        return assertNever(state);
    }
  }

  /** A view of the next `n` buffered bytes (valid until the next append), consumed. */
  private take(n: number): Uint8Array {
    const view = this.buf.subarray(this.start, this.start + n);
    this.start += n;
    return view;
  }

  private append(bytes: Uint8Array): void {
    const pending = this.buffered;
    if (this.end_ + bytes.length > this.buf.length) {
      // Compact first; grow only when the pending bytes plus the new ones need it.
      const need = pending + bytes.length;
      const target = need > this.buf.length ? new Uint8Array(Math.max(need, this.buf.length * 2)) : this.buf;
      if (target === this.buf) this.buf.copyWithin(0, this.start, this.end_);
      else target.set(this.buf.subarray(this.start, this.end_));
      this.buf = target;
      this.start = 0;
      this.end_ = pending;
    }
    this.buf.set(bytes, this.end_);
    this.end_ += bytes.length;
  }
}

function assertNever(value: never): never {
  throw new Error(`live-pusher internal error: unexpected ${JSON.stringify(value)}`);
}
