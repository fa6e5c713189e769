import { credentialLifecycleGraph } from '@sidekey/lifecycle';
import { describe, expect, it } from 'vitest';
import { pathEmphasis, reviewEmphasis } from './emphasis';

const step = (event: string, fromState: string, toState: string, edgeId: string | null) => ({
  event,
  fromState,
  toState,
  edgeId,
  allowed: edgeId !== null,
});

describe('a credential path on the drawing', () => {
  it('numbers the edges taken in order, compacting a run of daily uses', () => {
    const steps = [
      step('GENERATE', 'new', 'pending', 'new:GENERATE:0'),
      step('USE', 'pending', 'active', 'pending:USE:0'),
      ...Array.from({ length: 4 }, () => step('USE', 'active', 'active', 'active:USE:0')),
      step('REVOKE', 'active', 'revoked', 'active:REVOKE:0'),
    ];
    const { emphasis, extra } = pathEmphasis(steps, 'revoked');
    expect(extra['active:USE:0']).toEqual(['step 3–6']);
    expect(extra['active:REVOKE:0']).toEqual(['step 7']);
    expect(emphasis.edges?.['pending:USE:0']).toEqual({ tone: 'taken' });
    expect(emphasis.states).toMatchObject({
      pending: { tone: 'visited' },
      revoked: { tone: 'current' },
    });
    expect(emphasis.alarms).toEqual([]);
  });

  it('raises an alarm for a step the machine has no edge for', () => {
    const { emphasis, extra } = pathEmphasis(
      [
        step('GENERATE', 'new', 'pending', 'new:GENERATE:0'),
        step('USE', 'revoked', 'active', null),
      ],
      'active',
    );
    expect(emphasis.alarms).toEqual([{ from: 'revoked', to: 'active', label: '2. USE' }]);
    expect(Object.keys(extra)).toEqual(['new:GENERATE:0']);
  });
});

describe('review mode on the drawing', () => {
  it('weights each edge by its traffic and lists counts per reason', () => {
    const graph = credentialLifecycleGraph();
    const row = (edgeId: string | null, event: string, reason: string | null, count: number) => ({
      edgeId,
      event,
      fromState: 'active',
      toState: 'revoked',
      reason,
      count,
      allowed: edgeId !== null,
    });
    const { emphasis, extra, totals } = reviewEmphasis(graph, [
      row('active:REVOKE:0', 'REVOKE', 'user', 3),
      row('active:REVOKE:0', 'REVOKE', 'password_changed', 1),
      row('active:EXPIRE:0', 'EXPIRE', 'expired', 1),
      row(null, 'USE', null, 2),
    ]);
    expect(totals).toEqual({ 'active:REVOKE:0': 4, 'active:EXPIRE:0': 1 });
    expect(extra['active:REVOKE:0']).toEqual(['× 4', 'user 3', 'password_changed 1']);
    expect(extra['pending:USE:0']).toEqual(['× 0']);
    expect(emphasis.edges!['active:REVOKE:0']!.strokeWidth).toBeGreaterThan(
      emphasis.edges!['active:EXPIRE:0']!.strokeWidth!,
    );
    expect(emphasis.edges!['pending:USE:0']).toBeUndefined();
    expect(emphasis.alarms).toEqual([{ from: 'active', to: 'revoked', label: 'USE ×2' }]);
  });
});
