/**
 * The calling convention of LivePusherContext methods (spec §3): every method takes an optional
 * `{ success, fail, complete, ...args }` object and calls the callbacks with
 * `{ errMsg: '<method>:ok', ...result }` or `{ errMsg: '<method>:fail <reason>' }` exactly as the
 * mini-program does, and, as a web extension (spec §5), also returns a Promise of the same result
 * that rejects on fail. Plus the argument parsers the methods share. Platform-neutral.
 */
import { LivePusherError } from './codes.js';

/** The callbacks of a context method call (spec §3). Other keys are the method's arguments. */
export interface MethodCallbacks<R extends object = Record<never, never>> {
  success?: (result: MethodSuccess<R>) => void;
  fail?: (result: MethodFailure) => void;
  complete?: (result: MethodSuccess<R> | MethodFailure) => void;
}

/** The success result (spec §3): `errMsg` is `'<method>:ok'`, with the method's own fields. */
export type MethodSuccess<R extends object = Record<never, never>> = R & { errMsg: string };

/**
 * The failure result (spec §3): `errMsg` is `'<method>:fail <reason>'`. `errCode` (an extension)
 * is the status code of spec §4 when the failure has one.
 */
export interface MethodFailure {
  errMsg: string;
  errCode?: number;
}

/**
 * The rejection of a method's Promise (spec §5 extension): `message` is the `errMsg`, `result` the
 * object the `fail` callback got, `cause` what went wrong inside.
 */
export class MethodCallError extends Error {
  override name = 'MethodCallError';
  constructor(
    readonly result: MethodFailure,
    options?: { cause?: unknown },
  ) {
    super(result.errMsg, options);
  }

  /** The `errMsg` of the failure. */
  get errMsg(): string {
    return this.result.errMsg;
  }
}

/** Options of {@link invoke} (spec §3). */
export interface InvokeHooks {
  /** Where an exception thrown by an app callback goes (default {@link reportErrorAsync}). */
  reportError?: (error: unknown) => void;
}

/**
 * Reports an exception from app code (a spec §3 callback, a state listener) without letting it
 * break ours: from a fresh task, to `globalThis.reportError` where the platform has it (browsers:
 * an `error` event on the window), otherwise rethrown there as an uncaught exception of its own.
 */
export function reportErrorAsync(error: unknown): void {
  setTimeout(() => {
    const host = globalThis as { reportError?: (error: unknown) => void };
    if (typeof host.reportError === 'function') host.reportError(error);
    else throw error;
  }, 0);
}

type Callback = (result: never) => void;

function pick(options: unknown, key: 'success' | 'fail' | 'complete'): Callback | undefined {
  if (typeof options !== 'object' || options === null) return undefined;
  const value: unknown = (options as Record<string, unknown>)[key];
  return typeof value === 'function' ? (value as Callback) : undefined;
}

/** The reason text of a failure: the Error's message, or the thrown value as text. */
function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  return String(error);
}

/**
 * Runs a context method (spec §3): `run` does the work and may return extra result fields. On
 * success calls `success` then `complete` with `{ errMsg: '<method>:ok', ...fields }` and resolves
 * with that object; on failure (`run` throws or rejects) calls `fail` then `complete` with
 * `{ errMsg: '<method>:fail <reason>' }` and rejects with a {@link MethodCallError} carrying it.
 * A callback that throws is reported through `hooks.reportError` and changes nothing else. When the
 * app passed `fail` or `complete`, it has handled the failure: the rejected Promise then raises no
 * unhandled-rejection report (awaiting it still throws).
 */
export function invoke<R extends object = Record<never, never>>(
  method: string,
  options: MethodCallbacks<R> | object | null | undefined,
  run: () => Promise<R | void> | R | void,
  hooks: InvokeHooks = {},
): Promise<MethodSuccess<R>> {
  const report = hooks.reportError ?? reportErrorAsync;
  const success = pick(options, 'success');
  const fail = pick(options, 'fail');
  const complete = pick(options, 'complete');
  const call = (callback: Callback | undefined, result: object): void => {
    if (!callback) return;
    try {
      (callback as (result: object) => void)(result);
    } catch (error) {
      report(error);
    }
  };
  const promise = (async () => {
    let fields: R | void;
    try {
      fields = await run();
    } catch (error) {
      const reason = reasonOf(error);
      const result: MethodFailure = { errMsg: reason ? `${method}:fail ${reason}` : `${method}:fail` };
      if (error instanceof LivePusherError) result.errCode = error.code;
      call(fail, result);
      call(complete, result);
      throw new MethodCallError(result, { cause: error });
    }
    const result = Object.assign({ errMsg: '' }, typeof fields === 'object' && fields !== null ? fields : {}, { errMsg: `${method}:ok` }) as MethodSuccess<R>;
    call(success, result);
    call(complete, result);
    return result;
  })();
  if (fail || complete) promise.catch(() => undefined);
  return promise;
}

// ── Argument parsers shared by the methods (spec §3) ──────────────────────────────────────────

/** A number or a numeric string (not blank), as a finite number; otherwise undefined. */
function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/**
 * A volume argument (spec §3 `setBGMVolume`, `setMICVolume`): a number or numeric string, clamped
 * to 0–1. Anything else throws a `TypeError` naming the argument, which {@link invoke} turns into
 * `'<method>:fail <reason>'`.
 */
export function parseVolume(value: unknown, name = 'volume'): number {
  const n = toNumber(value);
  if (n === undefined) throw new TypeError(`${name} must be a number from 0 to 1, got ${shown(value)}`);
  return Math.min(1, Math.max(0, n));
}

/**
 * A zoom argument (spec §3 `setZoom`): a number or numeric string, clamped to 1–`maxZoom`
 * (`getMaxZoom`; below 1 counts as 1). Anything else throws a `TypeError`.
 */
export function parseZoom(value: unknown, maxZoom: number, name = 'zoom'): number {
  const n = toNumber(value);
  if (n === undefined) throw new TypeError(`${name} must be a number from 1 to ${Math.max(1, maxZoom)}, got ${shown(value)}`);
  return Math.min(Math.max(1, maxZoom), Math.max(1, n));
}

/**
 * An optional time in milliseconds (spec §3 `playBGM` `startTimeMs`/`endTimeMs`): undefined when
 * absent, else a number or numeric string ≥ 0. Anything else throws a `TypeError`.
 */
export function parseOptionalTimeMs(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = toNumber(value);
  if (n === undefined || n < 0) throw new TypeError(`${name} must be a number of milliseconds ≥ 0, got ${shown(value)}`);
  return n;
}

/** A required non-empty string argument (spec §3 `playBGM` `url`, `applyFilter` `path` …); else a `TypeError`. */
export function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string, got ${shown(value)}`);
  return value;
}

/** The arguments of `snapshot` (spec §3), with the mini-program's defaults. */
export interface SnapshotOptions {
  /** `raw` (PNG, the default) or `compressed` (JPEG). */
  quality: 'raw' | 'compressed';
  /** `stream` (the pushed picture, the default) or `view` (the preview as shown). */
  sourceType: 'stream' | 'view';
}

/** The allowed values of each snapshot option, the default first. */
const SNAPSHOT_CHOICES: { readonly [K in keyof SnapshotOptions]: readonly SnapshotOptions[K][] } = {
  quality: ['raw', 'compressed'],
  sourceType: ['stream', 'view'],
};

/** Parses `snapshot`'s `{ quality?, sourceType? }` (spec §3); an unknown value throws a `TypeError`. */
export function parseSnapshotOptions(options: { quality?: unknown; sourceType?: unknown } | null | undefined): SnapshotOptions {
  const choose = <K extends keyof SnapshotOptions>(key: K): SnapshotOptions[K] => {
    const allowed: readonly SnapshotOptions[K][] = SNAPSHOT_CHOICES[key];
    const value = options?.[key];
    if (value === undefined || value === null) return allowed[0]!;
    const hit = allowed.find((a) => a === value);
    if (hit === undefined) throw new TypeError(`${key} must be ${allowed.join(' or ')}, got ${shown(value)}`);
    return hit;
  };
  return { quality: choose('quality'), sourceType: choose('sourceType') };
}
