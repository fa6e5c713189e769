import { describe, expect, it } from 'vitest';
import { credentialLifecycleGraph, isAllowedStep, readMachineGraph } from './graph.ts';
import { credentialMachine, persistedStates, revokeReasons } from './machine.ts';
import { createMachine } from 'xstate';

describe('the lifecycle graph read from the machine object', () => {
  const graph = credentialLifecycleGraph();

  it('has every state of the machine, with its initial and final states marked', () => {
    expect(graph.states.map((state) => state.id)).toEqual(Object.keys(credentialMachine.states));
    expect(graph.initial).toBe(credentialMachine.config.initial);
    expect(graph.states.filter((state) => state.initial).map((state) => state.id)).toEqual([
      graph.initial,
    ]);
    const finals = graph.states.filter((state) => state.final).map((state) => state.id);
    expect(finals).toEqual(
      Object.entries(credentialMachine.states)
        .filter(([, node]) => node.type === 'final')
        .map(([key]) => key),
    );
    expect(graph.states.every((state) => state.description)).toBe(true);
  });

  it('has one edge per transition candidate, with its event, guard and target', () => {
    let candidates = 0;
    for (const node of Object.values(credentialMachine.states)) {
      for (const [, list] of node.transitions) candidates += list.length;
    }
    expect(graph.transitions).toHaveLength(candidates);
    expect(new Set(graph.transitions.map((edge) => edge.id)).size).toBe(candidates);
    expect(graph.events.sort()).toEqual(
      [
        ...new Set(Object.values(credentialMachine.states).flatMap((node) => node.ownEvents)),
      ].sort(),
    );
    // Every edge ends in a state of the machine; only persisted states are targets.
    for (const edge of graph.transitions) {
      expect(persistedStates as readonly string[]).toContain(edge.target);
    }
    const guarded = graph.transitions.filter((edge) => edge.guard).map((edge) => edge.guard);
    expect(new Set(guarded)).toEqual(
      new Set(Object.keys(credentialMachine.implementations.guards)),
    );
  });

  it('names the revocation reasons each edge into the final state records, asking the machine', () => {
    const revokes = graph.transitions.filter((edge) => edge.event === 'REVOKE');
    const expires = graph.transitions.filter((edge) => edge.event === 'EXPIRE');
    expect(revokes.length).toBeGreaterThan(0);
    for (const edge of revokes) {
      expect(edge.reasons.sort()).toEqual(revokeReasons.filter((r) => r !== 'expired').sort());
    }
    for (const edge of expires) expect(edge.reasons).toEqual(['expired']);
    const others = graph.transitions.filter((edge) => !['REVOKE', 'EXPIRE'].includes(edge.event));
    for (const edge of others) expect(edge.reasons).toEqual([]);
  });

  it('tells allowed audit steps from ones the machine would never take', () => {
    expect(isAllowedStep(graph, 'pending', 'active', 'USE')).toBe(true);
    expect(isAllowedStep(graph, 'active', 'active', 'USE')).toBe(true);
    expect(isAllowedStep(graph, 'active', 'pending')).toBe(false);
    expect(isAllowedStep(graph, 'revoked', 'active')).toBe(false);
    expect(isAllowedStep(graph, 'pending', 'revoked', 'USE')).toBe(false);
  });

  it('reads other machines too, and refuses nested ones it cannot draw', () => {
    const toggle = createMachine({
      id: 'toggle',
      initial: 'off',
      states: { off: { on: { FLIP: 'on' } }, on: { on: { FLIP: 'off' } } },
    });
    expect(readMachineGraph(toggle).transitions.map((edge) => edge.id)).toEqual([
      'off:FLIP:0',
      'on:FLIP:0',
    ]);
    const nested = createMachine({
      initial: 'a',
      states: { a: { initial: 'b', states: { b: {} } } },
    });
    expect(() => readMachineGraph(nested)).toThrow(/Nested/);
  });
});
