/**
 * The session clock (DESIGN.md "Timing"): one clock for the whole push, `performance.now()` in
 * microseconds, so that audio and video timestamps are comparable by construction. Capture
 * timestamps from other clock domains (a camera's frame timestamps, an AudioContext's time) are
 * mapped onto it where they enter the pipeline; FLV/RTMP timestamps are its values in
 * milliseconds, relative to the first pushed item.
 */
export class SessionClock {
  private originUs: number | null = null;

  /** Now, in microseconds on the session clock. */
  nowUs(): number {
    return performance.now() * 1000;
  }

  /** The session time that FLV timestamp 0 stands for, once fixed. */
  get origin(): number | null {
    return this.originUs;
  }

  /**
   * Fixes FLV timestamp 0. Call it when pushing starts; until it is called the first
   * {@link SessionClock.flvTimestamp} fixes it (DESIGN.md: "relative to the first pushed frame").
   */
  setOrigin(us: number): void {
    this.originUs = us;
  }

  /** Whether `us` lies before FLV timestamp 0 (an origin is fixed and `us` precedes it by ≥ 0.5 ms). */
  isBeforeOrigin(us: number): boolean {
    return this.originUs !== null && us - this.originUs <= -500;
  }

  /**
   * A session time (µs) as an FLV/RTMP timestamp: milliseconds since the origin, clamped to
   * 0 … 2^32−1 (RTMP wraps past that with extended timestamps; FLV carries 32 bits).
   */
  flvTimestamp(us: number): number {
    if (this.originUs === null) this.originUs = us;
    const ms = Math.round((us - this.originUs) / 1000);
    return ms < 0 ? 0 : ms > 0xffffffff ? ms % 0x100000000 : ms;
  }
}

/**
 * Maps timestamps from a foreign clock with the same rate (e.g. Chromium's capture timestamps,
 * which count from boot) onto the session clock: offset = min over samples of (arrival − stamp),
 * i.e. the least-delayed delivery seen. Output never goes backwards, so a tightening offset cannot
 * reorder frames.
 */
export class ClockMapper {
  private offset = Number.POSITIVE_INFINITY;
  private last = Number.NEGATIVE_INFINITY;

  /** Maps `stampUs` (foreign clock) that arrived at `arrivalUs` (session clock). */
  map(stampUs: number, arrivalUs: number): number {
    const offset = arrivalUs - stampUs;
    if (offset < this.offset) this.offset = offset;
    let us = stampUs + this.offset;
    if (us <= this.last) us = this.last + 1;
    this.last = us;
    return us;
  }

  reset(): void {
    this.offset = Number.POSITIVE_INFINITY;
    this.last = Number.NEGATIVE_INFINITY;
  }
}
