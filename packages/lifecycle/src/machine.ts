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

/**
 * How many networks and services a credential remembers having been used from/for. A
 * use from one it does not remember is audited; past the bound the oldest is forgotten,
 * so the row stays small however often a phone roams.
 */
export const KNOWN_PLACES_MAX = 16;

/** Times are epoch milliseconds so a snapshot rebuilt from a row is plain data. */
export interface CredentialContext {
  expiresAt: number | null;
  firstUsedAt: number | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
  revokeReason: RevokeReason | null;
  /** Networks (IPv4 /24, IPv6 /48) this credential has been used from, oldest first. */
  knownNetworks: string[];
  /** Services (imap, smtp, caldav, …) it has been used for, oldest first. */
  knownServices: string[];
}

/** A use names where it came from (a network, not an address) and which service asked. */
export type CredentialEvent =
  | { type: 'GENERATE'; at: number; expiresAt: number | null }
  | { type: 'USE'; at: number; network?: string | null; service?: string | null }
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
    /**
     * Before the expiry, and what an owner or auditor wants to read about a working
     * credential: its use from a network or for a service it was never used from/for
     * before. Every other use is telemetry (last-used time, service, network), not history.
     */
    isNoteworthyUse: ({ context, event }) =>
      notExpired(context, event) &&
      event.type === 'USE' &&
      ((!!event.network && !context.knownNetworks.includes(event.network)) ||
        (!!event.service && !context.knownServices.includes(event.service))),
  },
  actions: {
    recordIssue: assign(({ event }) =>
      event.type === 'GENERATE' ? { expiresAt: event.expiresAt } : {},
    ),
    recordFirstUse: assign(({ event }) => ({ firstUsedAt: event.at, lastUsedAt: event.at })),
    recordLastUse: assign(({ context, event }) => ({
      lastUsedAt: Math.max(context.lastUsedAt ?? event.at, event.at),
    })),
    rememberPlace: assign(({ context, event }) =>
      event.type === 'USE'
        ? {
            knownNetworks: remember(context.knownNetworks, event.network),
            knownServices: remember(context.knownServices, event.service),
          }
        : {},
    ),
    /**
     * Marks the edges whose step is appended to the audit log; the caller writes it
     * (decide() reports it as `audited`). Edges without it are telemetry only.
     */
    audit: () => {},
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
    knownNetworks: [],
    knownServices: [],
  },
  states: {
    new: {
      description: 'Not yet generated; never stored.',
      on: { GENERATE: { target: 'pending', actions: ['recordIssue', 'audit'] } },
    },
    pending: {
      description: 'Generated and shown to the owner once; waiting for its first use.',
      on: {
        USE: {
          target: 'active',
          guard: 'notExpired',
          actions: ['recordFirstUse', 'rememberPlace', 'audit'],
        },
        REVOKE: {
          target: 'revoked',
          guard: 'reasonIsKnown',
          actions: ['recordRevocation', 'audit'],
        },
        EXPIRE: {
          target: 'revoked',
          guard: 'expiryHasPassed',
          actions: ['recordRevocation', 'audit'],
        },
      },
    },
    active: {
      description: 'In use by an app.',
      on: {
        USE: [
          // Explicit self-targets: the diagram draws both loops, and can() sees them as allowed.
          {
            target: 'active',
            guard: 'isNoteworthyUse',
            actions: ['recordLastUse', 'rememberPlace', 'audit'],
            description: 'First use from a new network or for a new service: audited at once.',
          },
          {
            target: 'active',
            guard: 'notExpired',
            actions: 'recordLastUse',
            description:
              'A routine use: last-used time, service and network are telemetry, written coalesced every few seconds; not audited.',
          },
        ],
        REVOKE: {
          target: 'revoked',
          guard: 'reasonIsKnown',
          actions: ['recordRevocation', 'audit'],
        },
        EXPIRE: {
          target: 'revoked',
          guard: 'expiryHasPassed',
          actions: ['recordRevocation', 'audit'],
        },
      },
    },
    revoked: {
      description: 'Final: a revoked credential never verifies again.',
      type: 'final',
    },
  },
});

/** Adds `place` at the end (most recent), dropping the oldest past KNOWN_PLACES_MAX. */
function remember(known: string[], place: string | null | undefined): string[] {
  if (!place || known.includes(place)) return known;
  return [...known, place].slice(-KNOWN_PLACES_MAX);
}
