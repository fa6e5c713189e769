import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { describe, expect, it } from 'vitest';
import { decide, type CredentialRecord } from './decide.ts';
import {
  credentialMachine,
  KNOWN_PLACES_MAX,
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
  knownNetworks: state === 'active' ? [HOME] : [],
  knownServices: state === 'active' ? ['imap'] : [],
  ...overrides,
});

const MINUTE = 60_000;
const HOME = '198.51.100.0/24';
const at = T0 + 10 * MINUTE;
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

  it('audits the first use, and remembers where it came from', () => {
    expect(
      decide(record('pending'), { type: 'USE', at, network: HOME, service: 'imap' }),
    ).toMatchObject({
      audited: true,
      context: { knownNetworks: [HOME], knownServices: ['imap'] },
    });
  });

  it('treats a routine use as telemetry: last-used moves, nothing is audited', () => {
    const routine = decide(record('active'), { type: 'USE', at, network: HOME, service: 'imap' });
    expect(routine).toMatchObject({
      allowed: true,
      to: 'active',
      changed: true,
      audited: false,
      context: { lastUsedAt: at, knownNetworks: [HOME] },
    });
  });

  it('audits the first use from a new network or for a new service', () => {
    const away = decide(record('active'), {
      type: 'USE',
      at,
      network: '203.0.113.0/24',
      service: 'imap',
    });
    expect(away).toMatchObject({
      audited: true,
      context: { knownNetworks: [HOME, '203.0.113.0/24'], knownServices: ['imap'] },
    });
    const smtp = decide(record('active'), { type: 'USE', at, network: HOME, service: 'smtp' });
    expect(smtp).toMatchObject({ audited: true, context: { knownServices: ['imap', 'smtp'] } });
  });

  it('never moves last-used backwards (uses recorded out of order on two nodes)', () => {
    const later = record('active', { lastUsedAt: at + MINUTE });
    expect(decide(later, { type: 'USE', at, network: HOME, service: 'imap' })).toMatchObject({
      changed: false,
      context: { lastUsedAt: at + MINUTE },
    });
  });

  it('remembers a bounded number of networks, forgetting the oldest', () => {
    const many = Array.from({ length: KNOWN_PLACES_MAX }, (_, i) => `10.0.${i}.0/24`);
    const decision = decide(record('active', { knownNetworks: many }), {
      type: 'USE',
      at,
      network: '10.1.0.0/24',
    });
    expect(decision).toMatchObject({ audited: true });
    if (!decision.allowed) return;
    expect(decision.context.knownNetworks).toHaveLength(KNOWN_PLACES_MAX);
    expect(decision.context.knownNetworks).not.toContain('10.0.0.0/24');
    expect(decision.context.knownNetworks.at(-1)).toBe('10.1.0.0/24');
  });

  it('audits every lifecycle change', () => {
    expect(decide(record('active'), { type: 'REVOKE', at, reason: 'user' })).toMatchObject({
      audited: true,
    });
    expect(decide(record('new'), { type: 'GENERATE', at, expiresAt: null })).toMatchObject({
      audited: true,
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
    { type: 'GENERATE', at: T0, expiresAt: T0 + 3 * MINUTE },
    { type: 'USE', at: T0 + 2 * MINUTE },
    { type: 'REVOKE', at: T0 + 3, reason: 'user' },
    { type: 'EXPIRE', at: T0 + 4 * MINUTE },
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
