import { assign, setup } from 'xstate';

/**
 * The lifecycle of one app password, exactly as the table in docs/design.md states it.
 * Guards and actions are named here in `setup`; the machine body below only wires
 * states to events, so it reads like the table and the visualizer can draw it.
 */

/** The states a credential row can hold. `new` is only the moment before GENERATE. */
export const persistedStates = ['pending', 'active', 'revoked'] as const;
export type PersistedState = (typeof persistedStates)[number];

export const revokeReasons = [
  'user',
  'revoke_all',
  'password_changed',
  'password_reset',
  'two_factor_disabled',
  'expired',
  'admin',
] as const;
export type RevokeReason = (typeof revokeReasons)[number];

/** Last-used time is written at most once a minute: a busy IMAP client logs in constantly. */
export const LAST_USE_WRITE_INTERVAL_MS = 60_000;

/** Times are epoch milliseconds so a snapshot rebuilt from a row is plain data. */
export interface CredentialContext {
  expiresAt: number | null;
  firstUsedAt: number | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
  revokeReason: RevokeReason | null;
}

export type CredentialEvent =
  | { type: 'GENERATE'; at: number; expiresAt: number | null }
  | { type: 'USE'; at: number }
  | { type: 'REVOKE'; at: number; reason: RevokeReason }
  | { type: 'EXPIRE'; at: number };

function notExpired(context: CredentialContext, event: CredentialEvent): boolean {
  return event.type === 'USE' && (context.expiresAt === null || event.at < context.expiresAt);
}

export const credentialMachine = setup({
  types: {
    context: {} as CredentialContext,
    events: {} as CredentialEvent,
  },
  guards: {
    /** EXPIRE is only honoured once the expiry time has really passed. */
    expiryHasPassed: ({ context, event }) =>
      event.type === 'EXPIRE' && context.expiresAt !== null && event.at >= context.expiresAt,
    /** Only reasons the design names are accepted; `expired` belongs to EXPIRE. */
    reasonIsKnown: ({ event }) =>
      event.type === 'REVOKE' &&
      event.reason !== 'expired' &&
      (revokeReasons as readonly string[]).includes(event.reason),
    /** A credential is usable only before its expiry: a USE at or after it is refused (EXPIRE follows). */
    notExpired: ({ context, event }) => notExpired(context, event),
    /** Before the expiry, and last-used was recorded a minute or more ago: worth a write. */
    notExpiredAndLastUseIsStale: ({ context, event }) =>
      notExpired(context, event) &&
      event.type === 'USE' &&
      (context.lastUsedAt === null || event.at - context.lastUsedAt >= LAST_USE_WRITE_INTERVAL_MS),
  },
  actions: {
    recordIssue: assign(({ event }) =>
      event.type === 'GENERATE' ? { expiresAt: event.expiresAt } : {},
    ),
    recordFirstUse: assign(({ event }) => ({ firstUsedAt: event.at, lastUsedAt: event.at })),
    recordLastUse: assign(({ event }) => ({ lastUsedAt: event.at })),
    recordRevocation: assign(({ event }) => ({
      revokedAt: event.at,
      revokeReason: event.type === 'REVOKE' ? event.reason : ('expired' as const),
    })),
  },
}).createMachine({
  id: 'credential',
  initial: 'new',
  context: {
    expiresAt: null,
    firstUsedAt: null,
    lastUsedAt: null,
    revokedAt: null,
    revokeReason: null,
  },
  states: {
    new: {
      description: 'Not yet generated; never stored.',
      on: { GENERATE: { target: 'pending', actions: 'recordIssue' } },
    },
    pending: {
      description: 'Generated and shown to the owner once; waiting for its first use.',
      on: {
        USE: { target: 'active', guard: 'notExpired', actions: 'recordFirstUse' },
        REVOKE: { target: 'revoked', guard: 'reasonIsKnown', actions: 'recordRevocation' },
        EXPIRE: { target: 'revoked', guard: 'expiryHasPassed', actions: 'recordRevocation' },
      },
    },
    active: {
      description: 'In use by an app.',
      on: {
        USE: [
          // Explicit self-targets: the diagram draws both loops, and can() sees them as allowed.
          {
            target: 'active',
            guard: 'notExpiredAndLastUseIsStale',
            actions: 'recordLastUse',
          },
          {
            target: 'active',
            guard: 'notExpired',
            description: 'Used again within the minute: nothing to write.',
          },
        ],
        REVOKE: { target: 'revoked', guard: 'reasonIsKnown', actions: 'recordRevocation' },
        EXPIRE: { target: 'revoked', guard: 'expiryHasPassed', actions: 'recordRevocation' },
      },
    },
    revoked: {
      description: 'Final: a revoked credential never verifies again.',
      type: 'final',
    },
  },
});
