import { describe, expect, it } from 'vitest';
import { chooseEdge } from './choose-edge.ts';
import { decide, type CredentialRecord } from './decide.ts';
import { revokeReasons, type CredentialEvent } from './machine.ts';

const T0 = Date.UTC(2026, 0, 1);
const HOME = '198.51.100.0/24';

const records: CredentialRecord[] = (['new', 'pending', 'active', 'revoked'] as const).flatMap(
  (state) =>
    [null, T0 + 5, T0 + 50].map((expiresAt) => ({
      state,
      expiresAt,
      firstUsedAt: state === 'active' ? T0 : null,
      lastUsedAt: state === 'active' ? T0 : null,
      revokedAt: state === 'revoked' ? T0 : null,
      revokeReason: state === 'revoked' ? ('user' as const) : null,
      knownNetworks: state === 'active' ? [HOME] : [],
      knownServices: state === 'active' ? ['imap'] : [],
    })),
);
const events: CredentialEvent[] = [
  { type: 'GENERATE', at: T0, expiresAt: null },
  { type: 'USE', at: T0 + 10, network: HOME, service: 'imap' },
  { type: 'USE', at: T0 + 10, network: '203.0.113.0/24', service: 'imap' },
  { type: 'USE', at: T0 + 10, network: HOME, service: 'smtp' },
  { type: 'USE', at: T0 + 10 },
  ...revokeReasons.map((reason): CredentialEvent => ({ type: 'REVOKE', at: T0 + 10, reason })),
  { type: 'EXPIRE', at: T0 + 10 },
];

describe('chooseEdge', () => {
  it('takes exactly the edge decide() takes, for every state and event', () => {
    for (const record of records) {
      for (const event of events) {
        const decision = decide(record, event);
        const edge = chooseEdge(record, event);
        const label = `${record.state} (expires ${record.expiresAt}) + ${JSON.stringify(event)}`;
        if (!decision.allowed) {
          expect(edge, label).toBeNull();
        } else {
          expect(edge, label).toEqual({ target: decision.to, audited: decision.audited });
        }
      }
    }
  });
});
