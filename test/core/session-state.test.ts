import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  IllegalTransitionError,
  SESSION_EVENTS,
  SESSION_STATES,
  SESSION_TRANSITIONS,
  SessionStateMachine,
  describeState,
  nextState,
  type SessionEvent,
  type SessionState,
  type StateChange,
} from '../../src/core/session-state.js';

// The full expected table: event → from → to. Missing pairs are illegal.
const EXPECTED: Record<SessionEvent, Partial<Record<SessionState, SessionState>>> = {
  startPreview: { idle: 'previewing', stopped: 'previewing' },
  stopPreview: { previewing: 'idle', idle: 'idle' },
  start: { idle: 'connecting', previewing: 'connecting', stopped: 'connecting' },
  connected: { connecting: 'pushing' },
  pause: { pushing: 'paused' },
  resume: { paused: 'pushing' },
  connectionLost: { connecting: 'reconnecting', pushing: 'reconnecting', paused: 'reconnecting' },
  reconnected: { reconnecting: 'pushing' },
  reconnectFailed: { reconnecting: 'stopped' },
  fail: { previewing: 'stopped', connecting: 'stopped', pushing: 'stopped', paused: 'stopped', reconnecting: 'stopped' },
  stop: { idle: 'idle', previewing: 'stopped', connecting: 'stopped', pushing: 'stopped', paused: 'stopped', reconnecting: 'stopped', stopped: 'stopped' },
};

test('the transition table, every (event, state) pair', () => {
  for (const event of SESSION_EVENTS) {
    for (const state of SESSION_STATES) {
      assert.equal(nextState(state, event), EXPECTED[event][state], `${event} in ${state}`);
      const machine = new SessionStateMachine({ initial: state });
      assert.equal(machine.can(event), EXPECTED[event][state] !== undefined);
      if (EXPECTED[event][state] === undefined) {
        assert.throws(() => machine.transition(event), (e: unknown) => e instanceof IllegalTransitionError && e.event === event && e.state === state);
        assert.equal(machine.state, state, 'unchanged after an illegal event');
      } else {
        assert.equal(machine.transition(event), EXPECTED[event][state]);
      }
    }
  }
  for (const rule of SESSION_TRANSITIONS) assert.ok(rule.doc.length > 10, `${rule.event} is documented`);
  for (const state of SESSION_STATES) assert.ok(describeState(state));
});

test('every state is reachable from idle', () => {
  const seen = new Set<SessionState>(['idle']);
  for (let grew = true; grew; ) {
    grew = false;
    for (const rule of SESSION_TRANSITIONS) {
      if (rule.from.some((f) => seen.has(f)) && !seen.has(rule.to)) {
        seen.add(rule.to);
        grew = true;
      }
    }
  }
  assert.deepEqual([...seen].sort(), [...SESSION_STATES].sort());
});

test('a push with a drop, a failed reconnect and a restart', () => {
  const machine = new SessionStateMachine();
  const changes: StateChange[] = [];
  machine.onChange((c) => changes.push(c));
  const events: SessionEvent[] = ['startPreview', 'start', 'connected', 'pause', 'connectionLost', 'reconnected', 'pause', 'resume', 'connectionLost', 'reconnectFailed', 'stop', 'start', 'connected', 'stop'];
  for (const e of events) machine.transition(e);
  assert.deepEqual(changes.map((c) => `${c.from}-${c.event}->${c.to}`), [
    'idle-startPreview->previewing', 'previewing-start->connecting', 'connecting-connected->pushing', 'pushing-pause->paused',
    'paused-connectionLost->reconnecting', 'reconnecting-reconnected->pushing', 'pushing-pause->paused', 'paused-resume->pushing',
    'pushing-connectionLost->reconnecting', 'reconnecting-reconnectFailed->stopped',
    // 'stop' in stopped changes nothing and notifies no one
    'stopped-start->connecting', 'connecting-connected->pushing', 'pushing-stop->stopped',
  ]);
});

test('listeners: removal, nested transitions in order, a throwing listener is reported', () => {
  const reported: unknown[] = [];
  const machine = new SessionStateMachine({ reportError: (e) => reported.push(e) });
  const a: string[] = [];
  const b: string[] = [];
  machine.onChange((c) => {
    a.push(c.to);
    if (c.to === 'connecting') machine.transition('connected'); // nested
  });
  machine.onChange(() => {
    throw new Error('listener bug');
  });
  const off = machine.onChange((c) => b.push(c.to));
  machine.transition('start');
  assert.equal(machine.state, 'pushing');
  assert.deepEqual(a, ['connecting', 'pushing']);
  assert.deepEqual(b, ['connecting', 'pushing'], 'every listener hears the outer change before the nested one');
  assert.equal(reported.length, 2);
  off();
  machine.transition('stop');
  assert.deepEqual(b, ['connecting', 'pushing']);
  assert.deepEqual(a, ['connecting', 'pushing', 'stopped']);
});
