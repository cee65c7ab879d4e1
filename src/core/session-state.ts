/**
 * The session lifecycle (spec §5 `state`, the states the element reflects) as a table of
 * transitions: each row names an event, the states it may happen in and the state it leads to.
 * Anything not in the table is a bug in the caller and throws {@link IllegalTransitionError};
 * callers that react to app requests (context methods) ask {@link SessionStateMachine.can} first
 * and answer `fail` instead. Platform-neutral: no DOM, no Node APIs.
 */
import { reportErrorAsync } from './callbacks.js';

/** The states of spec §5, in the order a session usually meets them. */
export const SESSION_STATES = ['idle', 'previewing', 'connecting', 'pushing', 'paused', 'reconnecting', 'stopped'] as const;
/** A session state (spec §5 `state`). */
export type SessionState = (typeof SESSION_STATES)[number];

/** The events that move a session (see {@link SESSION_TRANSITIONS} for each). */
export const SESSION_EVENTS = [
  'startPreview', 'stopPreview', 'start', 'connected', 'pause', 'resume',
  'connectionLost', 'reconnected', 'reconnectFailed', 'fail', 'stop',
] as const;
/** An event of the session state machine. */
export type SessionEvent = (typeof SESSION_EVENTS)[number];

/** One row of the transition table. */
export interface TransitionRule {
  readonly event: SessionEvent;
  readonly from: readonly SessionState[];
  readonly to: SessionState;
  /** What happens, and which status code (spec §4) goes with it. */
  readonly doc: string;
}

const ACTIVE = ['previewing', 'connecting', 'pushing', 'paused', 'reconnecting'] as const satisfies readonly SessionState[];

/**
 * Every allowed transition (spec §3 methods, §4 codes, §5 states). An (event, state) pair appears
 * at most once; a pair that does not appear is illegal.
 */
export const SESSION_TRANSITIONS: readonly TransitionRule[] = Object.freeze([
  { event: 'startPreview', from: ['idle', 'stopped'], to: 'previewing', doc: 'startPreview(): camera preview without pushing (1003 once the camera opens)' },
  { event: 'stopPreview', from: ['previewing'], to: 'idle', doc: 'stopPreview(): preview released' },
  { event: 'stopPreview', from: ['idle'], to: 'idle', doc: 'stopPreview() with no preview: nothing to do' },
  { event: 'start', from: ['idle', 'previewing', 'stopped'], to: 'connecting', doc: 'start() or autopush: capture (if not previewing) and connect' },
  { event: 'connected', from: ['connecting'], to: 'pushing', doc: 'the server confirmed the publish (1002); 1001 alone does not move the state' },
  { event: 'pause', from: ['pushing'], to: 'paused', doc: 'pause(): the connection stays, the waiting image (or last frame) and silence are pushed' },
  { event: 'resume', from: ['paused'], to: 'pushing', doc: 'resume(): live capture is pushed again' },
  {
    event: 'connectionLost', from: ['connecting', 'pushing', 'paused'], to: 'reconnecting',
    doc: 'the connection failed or dropped and the reconnect policy allows a retry (1102)',
  },
  {
    event: 'reconnected', from: ['reconnecting'], to: 'pushing',
    doc: 'publish confirmed again (1002). A session that was paused re-applies pause afterwards',
  },
  { event: 'reconnectFailed', from: ['reconnecting'], to: 'stopped', doc: 'the reconnect policy gave up (−1307): the app restarts the push itself' },
  { event: 'fail', from: ACTIVE, to: 'stopped', doc: 'a fault nothing retries (camera −1301, encoder −1303, 3004 from the server …)' },
  { event: 'stop', from: ACTIVE, to: 'stopped', doc: 'stop(): push and preview stop, devices released' },
  { event: 'stop', from: ['idle'], to: 'idle', doc: 'stop() before anything started: nothing to do' },
  { event: 'stop', from: ['stopped'], to: 'stopped', doc: 'stop() again: nothing to do' },
]);

const TABLE: ReadonlyMap<string, SessionState> = (() => {
  const map = new Map<string, SessionState>();
  for (const rule of SESSION_TRANSITIONS) {
    for (const from of rule.from) {
      const key = `${rule.event}:${from}`;
      if (map.has(key)) throw new Error(`live-pusher internal error: transition ${key} listed twice`);
      map.set(key, rule.to);
    }
  }
  return map;
})();

/** The state an event leads to from a state (spec §5 `state`), or undefined when the table does not allow it. */
export function nextState(state: SessionState, event: SessionEvent): SessionState | undefined {
  return TABLE.get(`${event}:${state}`);
}

/** What a state means (spec §5), for logs and the demo page. */
export function describeState(state: SessionState): string {
  switch (state) {
    case 'idle':
      return 'nothing captured, nothing pushed';
    case 'previewing':
      return 'camera preview, not pushing';
    case 'connecting':
      return 'connecting to the push server';
    case 'pushing':
      return 'pushing live';
    case 'paused':
      return 'connected, pushing the waiting image and silence';
    case 'reconnecting':
      return 'connection lost, reconnecting';
    case 'stopped':
      return 'stopped (by stop(), a fault, or failed reconnecting)';
    default: {
      const never: never = state;
      throw new Error(`live-pusher internal error: state ${String(never)}`);
    }
  }
}

/**
 * Thrown by {@link SessionStateMachine.transition} for an event the table does not allow in the
 * current state (spec §5 `state`): a bug in the caller, never an app-facing failure.
 */
export class IllegalTransitionError extends Error {
  override name = 'IllegalTransitionError';
  constructor(
    readonly event: SessionEvent,
    readonly state: SessionState,
  ) {
    super(`live-pusher: event ${event} is not allowed in state ${state}`);
  }
}

/** What listeners get on every change of state (spec §5 `state`; the element reflects `to`). */
export interface StateChange {
  from: SessionState;
  to: SessionState;
  event: SessionEvent;
}

/** Options of {@link SessionStateMachine} (spec §5). */
export interface SessionStateMachineOptions {
  initial?: SessionState;
  /** Where an exception thrown by a listener goes (default: reported asynchronously, see `reportErrorAsync`). */
  reportError?: (error: unknown) => void;
}

/**
 * The session state machine (spec §5 `state`). Listeners hear every change in order, also when a
 * listener itself causes a transition (the nested change is delivered after the current one to
 * every listener). A self-transition (`stop` when stopped) changes nothing and notifies no one.
 */
export class SessionStateMachine {
  private current: SessionState;
  private readonly listeners = new Set<(change: StateChange) => void>();
  private readonly pending: StateChange[] = [];
  private notifying = false;
  private readonly reportError: (error: unknown) => void;

  constructor(options: SessionStateMachineOptions = {}) {
    this.current = options.initial ?? 'idle';
    this.reportError = options.reportError ?? reportErrorAsync;
  }

  /** The current state. */
  get state(): SessionState {
    return this.current;
  }

  /** Whether `event` is allowed now. */
  can(event: SessionEvent): boolean {
    return nextState(this.current, event) !== undefined;
  }

  /**
   * Applies `event` and returns the new state; throws {@link IllegalTransitionError} when the
   * table does not allow it (the state is then unchanged).
   */
  transition(event: SessionEvent): SessionState {
    const from = this.current;
    const to = nextState(from, event);
    if (to === undefined) throw new IllegalTransitionError(event, from);
    if (to === from) return to;
    this.current = to;
    this.pending.push({ from, to, event });
    this.flush();
    return to;
  }

  /** Adds a listener for state changes; returns the function that removes it. */
  onChange(listener: (change: StateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private flush(): void {
    if (this.notifying) return;
    this.notifying = true;
    try {
      for (let change = this.pending.shift(); change; change = this.pending.shift()) {
        for (const listener of [...this.listeners]) {
          try {
            listener(change);
          } catch (error) {
            this.reportError(error);
          }
        }
      }
    } finally {
      this.notifying = false;
    }
  }
}
