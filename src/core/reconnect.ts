/**
 * The reconnect policy behind status 1102 and −1307 (spec §4): after a lost connection the session
 * asks {@link ReconnectPolicy.next} for the delay before the next attempt; `undefined` means give
 * up (−1307, "restart the push yourself"). Exponential backoff with "equal jitter" (half the delay
 * fixed, half random) so that many pushers dropped by one server outage do not reconnect in step.
 * Pure logic: the random source and the clock are injected. Platform-neutral.
 */

/** Options of {@link ReconnectPolicy} (spec §4 1102/−1307); every field has a default. */
export interface ReconnectOptions {
  /** Attempts after one loss before giving up. Default 5. */
  maxAttempts?: number;
  /** Delay before the first attempt, ms. Default 1000. */
  initialDelayMs?: number;
  /** Growth of the delay per attempt. Default 2. */
  multiplier?: number;
  /** Upper bound of one delay, ms. Default 8000. */
  maxDelayMs?: number;
  /** Fraction of each delay that is random, 0–1. Default 0.5: a delay lies in [d/2, d]. */
  jitter?: number;
  /**
   * Time from the first failure after which no attempt starts, ms: the next delay must end inside
   * it. Default 30 000 (1+2+4+8+8 s of waits leave about 7 s for five connection attempts).
   */
  budgetMs?: number;
  /** Uniform random numbers in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** A monotonic clock in ms. Default `performance.now()`. */
  now?: () => number;
}

/** The defaults of {@link ReconnectOptions}: five attempts within about 30 s (spec §4 1102/−1307). */
export const RECONNECT_DEFAULTS: Readonly<Required<Omit<ReconnectOptions, 'random' | 'now'>>> = Object.freeze({
  maxAttempts: 5,
  initialDelayMs: 1000,
  multiplier: 2,
  maxDelayMs: 8000,
  jitter: 0.5,
  budgetMs: 30_000,
});

/**
 * Backoff state for one session (spec §4 1102/−1307). Call {@link next} each time a connection
 * attempt fails (or the connection drops), wait the returned delay, try again; call
 * {@link succeeded} once the publish is confirmed again.
 */
export class ReconnectPolicy {
  private readonly options: Readonly<Required<Omit<ReconnectOptions, 'random' | 'now'>>>;
  private readonly random: () => number;
  private readonly now: () => number;
  private attemptCount = 0;
  private firstFailureAt: number | undefined;

  constructor(options: ReconnectOptions = {}) {
    const merged = { ...RECONNECT_DEFAULTS, ...definedOnly(options) };
    for (const key of ['maxAttempts', 'initialDelayMs', 'multiplier', 'maxDelayMs', 'budgetMs'] as const) {
      if (!(Number.isFinite(merged[key]) && merged[key] >= 0)) throw new RangeError(`ReconnectOptions.${key} must be a number ≥ 0, got ${merged[key]}`);
    }
    if (!(merged.jitter >= 0 && merged.jitter <= 1)) throw new RangeError(`ReconnectOptions.jitter must be within 0–1, got ${merged.jitter}`);
    this.options = merged;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => performance.now());
  }

  /** Attempts handed out since the last success. */
  get attempts(): number {
    return this.attemptCount;
  }

  /**
   * The delay in ms before the next attempt, or `undefined` when the policy gives up (attempts
   * used up, or the delay would end past the budget). Each defined answer counts one attempt.
   */
  next(): number | undefined {
    const { maxAttempts, initialDelayMs, multiplier, maxDelayMs, jitter, budgetMs } = this.options;
    const now = this.now();
    this.firstFailureAt ??= now;
    if (this.attemptCount >= maxAttempts) return undefined;
    const ceiling = Math.min(maxDelayMs, initialDelayMs * multiplier ** this.attemptCount);
    const r = Math.min(1, Math.max(0, this.random()));
    const delay = Math.round(ceiling * (1 - jitter * r));
    if (now - this.firstFailureAt + delay > budgetMs) return undefined;
    this.attemptCount++;
    return delay;
  }

  /** The connection is back: the next loss starts from the first delay and a fresh budget. */
  succeeded(): void {
    this.attemptCount = 0;
    this.firstFailureAt = undefined;
  }

  /** Same as {@link succeeded}: forget past failures (e.g. when the app calls start() again). */
  reset(): void {
    this.succeeded();
  }
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
