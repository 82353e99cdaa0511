import { describe, expect, it, vi } from 'vitest';
import { recordingLogger } from '../test/support/logger.js';
import { manualClock } from '../test/support/manual.js';
import { type IgnoredTransition, type StateChange, StateMachine } from './states.js';

function machine() {
  const clock = manualClock();
  const { logger, entries } = recordingLogger();
  const states = new StateMachine({ now: clock.now, logger });
  return { states, clock, lines: entries };
}

describe('StateMachine transitions', () => {
  it('starts in starting with no history', () => {
    const { states } = machine();
    expect(states.state).toBe('starting');
    expect(states.history).toEqual([]);
  });

  it('goes starting -> ready -> draining -> closed', () => {
    const { states } = machine();
    expect(states.transition('ready', 'boot done')).toBe(true);
    expect(states.state).toBe('ready');
    expect(states.transition('draining', 'SIGTERM')).toBe(true);
    expect(states.state).toBe('draining');
    expect(states.transition('closed', 'drained')).toBe(true);
    expect(states.state).toBe('closed');
  });

  it('may skip ready and drain straight from starting', () => {
    const { states } = machine();
    expect(states.transition('draining', 'SIGTERM during boot')).toBe(true);
    expect(states.state).toBe('draining');
  });

  it.each([
    ['starting', 'closed'],
    ['ready', 'closed'],
    ['ready', 'ready'],
    ['draining', 'ready'],
    ['draining', 'draining'],
    ['closed', 'ready'],
    ['closed', 'draining'],
    ['closed', 'closed'],
  ] as const)('refuses %s -> %s', (from, to) => {
    const { states } = machine();
    const path = { starting: [], ready: ['ready'], draining: ['draining'], closed: ['draining', 'closed'] }[
      from
    ] as ('ready' | 'draining' | 'closed')[];
    for (const step of path) states.transition(step, 'setup');
    expect(states.state).toBe(from);
    expect(states.transition(to, 'test')).toBe(false);
    expect(states.state).toBe(from);
  });
});

describe('StateMachine history', () => {
  it('records every transition with its reason and the injected time', () => {
    const { states, clock } = machine();
    clock.advance(100);
    states.transition('ready', 'boot done');
    clock.advance(250);
    states.transition('draining', 'SIGTERM');
    clock.advance(5000);
    states.transition('closed', 'drained');
    expect(states.history).toEqual([
      { from: 'starting', to: 'ready', reason: 'boot done', at: 1_700_000_000_100 },
      { from: 'ready', to: 'draining', reason: 'SIGTERM', at: 1_700_000_000_350 },
      { from: 'draining', to: 'closed', reason: 'drained', at: 1_700_000_005_350 },
    ]);
  });

  it('leaves refused transitions out of the history', () => {
    const { states } = machine();
    states.transition('draining', 'SIGTERM');
    states.transition('ready', 'late ready');
    expect(states.history.map((change) => change.to)).toEqual(['draining']);
  });

  it('hands out a copy of the history, so callers cannot rewrite it', () => {
    const { states } = machine();
    states.transition('ready', 'boot done');
    (states.history as StateChange[]).length = 0;
    expect(states.history).toHaveLength(1);
  });

  it('uses Date.now when no clock is given', () => {
    const states = new StateMachine({ logger: recordingLogger().logger });
    const before = Date.now();
    states.transition('ready', 'boot done');
    const at = states.history[0]!.at;
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
  });
});

describe('StateMachine events', () => {
  it('tells change listeners about each transition, in order', () => {
    const { states } = machine();
    const seen: StateChange[] = [];
    states.onChange((change) => seen.push(change));
    states.transition('ready', 'boot done');
    states.transition('draining', 'SIGTERM');
    expect(seen.map((change) => `${change.from}->${change.to} (${change.reason})`)).toEqual([
      'starting->ready (boot done)',
      'ready->draining (SIGTERM)',
    ]);
  });

  it('stops telling a listener once it unsubscribes', () => {
    const { states } = machine();
    const listener = vi.fn();
    const unsubscribe = states.onChange(listener);
    unsubscribe();
    states.transition('ready', 'boot done');
    expect(listener).not.toHaveBeenCalled();
  });

  it('delivers a transition made inside a listener after the current one, to every listener', () => {
    const { states } = machine();
    states.onChange((change) => {
      if (change.to === 'ready') states.transition('draining', 'boot check failed');
    });
    const seen: string[] = [];
    states.onChange((change) => seen.push(`${change.from}->${change.to}`));
    states.transition('ready', 'boot done');
    expect(states.state).toBe('draining');
    expect(seen).toEqual(['starting->ready', 'ready->draining']);
  });

  it('logs each transition at info level', () => {
    const { states, lines } = machine();
    states.transition('ready', 'boot done');
    expect(lines).toEqual([{ level: 'info', message: 'state starting -> ready (boot done)' }]);
  });

  it('keeps the transition when a listener throws, logs the error and still tells the other listeners', () => {
    const { states, lines } = machine();
    const after = vi.fn();
    states.onChange(() => {
      throw new Error('listener bug');
    });
    states.onChange(after);
    expect(() => states.transition('ready', 'boot done')).not.toThrow();
    expect(states.state).toBe('ready');
    expect(after).toHaveBeenCalledOnce();
    expect(lines).toContainEqual({ level: 'error', message: 'a state listener threw: listener bug' });
  });

  it('survives a listener that throws something that cannot even be turned into a string', () => {
    const { states, lines } = machine();
    states.onChange(() => {
      throw Object.create(null);
    });
    expect(states.transition('ready', 'boot done')).toBe(true);
    expect(lines.filter((line) => line.level === 'error')).toHaveLength(1);
  });

  it('survives a listener that throws a non-Error', () => {
    const { states, lines } = machine();
    states.onChange(() => {
      throw 'just a string';
    });
    expect(states.transition('ready', 'boot done')).toBe(true);
    expect(lines).toContainEqual({ level: 'error', message: 'a state listener threw: just a string' });
  });
});

describe('StateMachine refused transitions', () => {
  it('ready() after drain returns false, warns once and emits ignored', () => {
    const { states, clock, lines } = machine();
    const ignored: IgnoredTransition[] = [];
    const changes = vi.fn();
    states.onIgnored((event) => ignored.push(event));
    states.transition('draining', 'SIGTERM');
    states.onChange(changes);
    clock.advance(10);

    expect(states.transition('ready', 'late ready')).toBe(false);

    expect(states.state).toBe('draining');
    expect(changes).not.toHaveBeenCalled();
    const warnings = lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/ignored ready\(\) \(late ready\): the lifecycle is draining/);
    expect(ignored).toEqual([
      {
        requested: 'ready',
        state: 'draining',
        reason: 'late ready',
        at: 1_700_000_000_010,
        message: warnings[0]!.message,
      },
    ]);
  });

  it('drain twice is a no-op that says the lifecycle is already draining', () => {
    const { states, lines } = machine();
    states.transition('ready', 'boot done');
    states.transition('draining', 'SIGTERM');
    const historyBefore = states.history;
    expect(states.transition('draining', 'second SIGTERM')).toBe(false);
    expect(states.state).toBe('draining');
    expect(states.history).toEqual(historyBefore);
    expect(lines.at(-1)).toEqual({
      level: 'warn',
      message: 'ignored shutdown (second SIGTERM): the lifecycle is already draining',
    });
  });

  it('close is only allowed from draining', () => {
    const { states } = machine();
    expect(states.transition('closed', 'too early')).toBe(false);
    states.transition('ready', 'boot done');
    expect(states.transition('closed', 'too early')).toBe(false);
    states.transition('draining', 'SIGTERM');
    expect(states.transition('closed', 'drained')).toBe(true);
  });

  it('explains a premature close without claiming the lifecycle would go back', () => {
    const { states, lines } = machine();
    states.transition('ready', 'boot done');
    states.transition('closed', 'too early');
    const message = lines.at(-1)!.message;
    expect(message).toContain('ignored close (too early)');
    expect(message).toContain('drain');
    expect(message).not.toContain('never goes back');
  });

  it('keeps refusing quietly when an ignored listener throws', () => {
    const { states, lines } = machine();
    states.onIgnored(() => {
      throw new Error('ignored listener bug');
    });
    states.transition('draining', 'SIGTERM');
    expect(() => states.transition('ready', 'late')).not.toThrow();
    expect(lines).toContainEqual({ level: 'error', message: 'a state listener threw: ignored listener bug' });
  });

  it('stops telling an ignored listener once it unsubscribes', () => {
    const { states } = machine();
    const listener = vi.fn();
    states.onIgnored(listener)();
    states.transition('closed', 'too early');
    expect(listener).not.toHaveBeenCalled();
  });
});
