import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { describe, expect, it } from 'vitest';
import { decide, type CredentialRecord } from './decide.ts';
import {
  credentialMachine,
  LAST_USE_WRITE_INTERVAL_MS,
  persistedStates,
  revokeReasons,
  type CredentialEvent,
  type RevokeReason,
} from './machine.ts';

const T0 = Date.UTC(2026, 0, 1);
const record = (
  state: CredentialRecord['state'],
  overrides: Partial<CredentialRecord> = {},
): CredentialRecord => ({
  state,
  expiresAt: null,
  firstUsedAt: state === 'active' ? T0 : null,
  lastUsedAt: state === 'active' ? T0 : null,
  revokedAt: state === 'revoked' ? T0 : null,
  revokeReason: state === 'revoked' ? 'user' : null,
  ...overrides,
});

const at = T0 + 10 * LAST_USE_WRITE_INTERVAL_MS;
const ownerReasons = revokeReasons.filter((reason) => reason !== 'expired');

/**
 * The lifecycle table of docs/design.md, written out independently of the machine: for each state and
 * event, where the credential must end up (null = refused).
 */
const designTable: Array<
  [CredentialRecord['state'], string, CredentialEvent, CredentialRecord['state'] | null]
> = [
  ['new', 'GENERATE', { type: 'GENERATE', at, expiresAt: null }, 'pending'],
  ['new', 'USE', { type: 'USE', at }, null],
  ['new', 'REVOKE', { type: 'REVOKE', at, reason: 'user' }, null],
  ['pending', 'USE', { type: 'USE', at }, 'active'],
  ['pending', 'GENERATE', { type: 'GENERATE', at, expiresAt: null }, null],
  ['active', 'USE', { type: 'USE', at }, 'active'],
  ['active', 'GENERATE', { type: 'GENERATE', at, expiresAt: null }, null],
  ...(['pending', 'active'] as const).flatMap((state) =>
    ownerReasons.map(
      (reason) =>
        [
          state,
          `REVOKE ${reason}`,
          { type: 'REVOKE', at, reason } as CredentialEvent,
          'revoked',
        ] as [CredentialRecord['state'], string, CredentialEvent, 'revoked'],
    ),
  ),
  ...(['new', 'pending', 'active', 'revoked'] as const).map(
    (state) =>
      [
        state,
        'REVOKE with an unknown reason',
        { type: 'REVOKE', at, reason: 'because' as RevokeReason },
        null,
      ] as [CredentialRecord['state'], string, CredentialEvent, null],
  ),
  ['revoked', 'USE', { type: 'USE', at }, null],
  ['revoked', 'REVOKE', { type: 'REVOKE', at, reason: 'user' }, null],
  ['revoked', 'EXPIRE', { type: 'EXPIRE', at }, null],
  ['revoked', 'GENERATE', { type: 'GENERATE', at, expiresAt: null }, null],
];

describe('the credential lifecycle, as docs/design.md tables it', () => {
  it.each(designTable)('%s + %s → %s', (state, _name, event, expected) => {
    const decision = decide(record(state), event);
    if (expected === null) {
      expect(decision.allowed).toBe(false);
    } else {
      expect(decision).toMatchObject({ allowed: true, to: expected });
    }
  });

  it('records the first use on pending → active', () => {
    const decision = decide(record('pending'), { type: 'USE', at });
    expect(decision).toMatchObject({
      allowed: true,
      changed: true,
      context: { firstUsedAt: at, lastUsedAt: at },
    });
  });

  it('writes last-used at most once a minute', () => {
    const recent = record('active', { lastUsedAt: at - LAST_USE_WRITE_INTERVAL_MS + 1 });
    expect(decide(recent, { type: 'USE', at })).toMatchObject({
      allowed: true,
      to: 'active',
      changed: false,
    });
    const stale = record('active', { lastUsedAt: at - LAST_USE_WRITE_INTERVAL_MS });
    expect(decide(stale, { type: 'USE', at })).toMatchObject({
      allowed: true,
      changed: true,
      context: { lastUsedAt: at },
    });
  });

  it('keeps the first-use time when later uses are recorded', () => {
    const decision = decide(record('active', { firstUsedAt: T0 }), { type: 'USE', at });
    expect(decision).toMatchObject({ context: { firstUsedAt: T0, lastUsedAt: at } });
  });

  it('records the revocation reason and time', () => {
    const decision = decide(record('active'), { type: 'REVOKE', at, reason: 'password_changed' });
    expect(decision).toMatchObject({
      to: 'revoked',
      context: { revokedAt: at, revokeReason: 'password_changed' },
    });
  });

  it('expires only once the expiry time has passed, with reason expired', () => {
    for (const state of ['pending', 'active'] as const) {
      const expiring = record(state, { expiresAt: at });
      expect(decide(expiring, { type: 'EXPIRE', at: at - 1 }).allowed).toBe(false);
      expect(decide(expiring, { type: 'EXPIRE', at })).toMatchObject({
        allowed: true,
        to: 'revoked',
        context: { revokeReason: 'expired', revokedAt: at },
      });
      expect(decide(record(state), { type: 'EXPIRE', at }).allowed).toBe(false);
    }
  });

  it('does not let an owner claim the reason expired', () => {
    expect(decide(record('active'), { type: 'REVOKE', at, reason: 'expired' }).allowed).toBe(false);
  });

  it('stores only the persisted states the machine can reach', () => {
    const machineStates = Object.keys(credentialMachine.states).filter((state) => state !== 'new');
    expect(machineStates.sort()).toEqual([...persistedStates].sort());
  });
});

describe('paths generated from the machine', () => {
  const events: CredentialEvent[] = [
    // The use comes before the expiry: after it, the machine refuses a USE.
    { type: 'GENERATE', at: T0, expiresAt: T0 + 3 * LAST_USE_WRITE_INTERVAL_MS },
    { type: 'USE', at: T0 + 2 * LAST_USE_WRITE_INTERVAL_MS },
    { type: 'REVOKE', at: T0 + 3, reason: 'user' },
    { type: 'EXPIRE', at: T0 + 4 * LAST_USE_WRITE_INTERVAL_MS },
  ];

  it('reaches every state, and revoked is final on every path', () => {
    const paths = getShortestPaths(credentialMachine, { events });
    const reached = new Set(paths.map((path) => String(path.state.value)));
    expect(reached).toEqual(new Set(['new', 'pending', 'active', 'revoked']));
  });

  it('replays every simple path through decide() to the same end state', () => {
    const paths = getSimplePaths(credentialMachine, { events });
    expect(paths.length).toBeGreaterThan(4);
    for (const path of paths) {
      let current = record('new');
      for (const step of path.steps.slice(1)) {
        const decision = decide(current, step.event as CredentialEvent);
        expect(decision.allowed, `${current.state} + ${step.event.type}`).toBe(true);
        if (!decision.allowed) break;
        current = { state: decision.to, ...decision.context };
      }
      expect(current.state).toBe(path.state.value);
      if (current.state === 'revoked') {
        for (const event of events) expect(decide(current, event).allowed).toBe(false);
      }
    }
  });
});

describe('expiry is the machine’s rule', () => {
  const expiresAt = at;
  it('refuses a USE at or after the expiry, from pending and from active, and allows EXPIRE then', () => {
    for (const state of ['pending', 'active'] as const) {
      expect(decide(record(state, { expiresAt }), { type: 'USE', at: expiresAt }).allowed).toBe(
        false,
      );
      expect(decide(record(state, { expiresAt }), { type: 'USE', at: expiresAt + 1 }).allowed).toBe(
        false,
      );
      expect(decide(record(state, { expiresAt }), { type: 'USE', at: expiresAt - 1 }).allowed).toBe(
        true,
      );
      expect(decide(record(state, { expiresAt }), { type: 'EXPIRE', at: expiresAt })).toMatchObject(
        {
          allowed: true,
          to: 'revoked',
        },
      );
    }
  });
});
