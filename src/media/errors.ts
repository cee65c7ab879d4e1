/**
 * The error every parser in `media/` and `rtmp/` throws on malformed or truncated input, so that
 * callers can tell a bad stream from a bug with one `instanceof`.
 */
export class FormatError extends Error {
  override name = 'FormatError';
}

/** Thrown by a reader that ran past the end of its data. */
export class TruncatedError extends FormatError {
  override name = 'TruncatedError';
}

/** Asserts an internal invariant; a failure is a bug in this package, not bad input. */
export function assert(condition: unknown, message = 'assertion failed'): asserts condition {
  if (!condition) throw new Error(`live-pusher internal error: ${message}`);
}
