import { appPasswords, type DbOrTx } from '@sidekey/db';
import {
  decide,
  type CredentialContext,
  type CredentialEvent,
  type CredentialRecord,
} from '@sidekey/lifecycle';
import { and, eq, sql } from 'drizzle-orm';
import { recordAudit } from '../audit.ts';
import type { ActorMeta } from '../deps.ts';

export type AppPasswordRow = typeof appPasswords.$inferSelect;

/** Postgres channel on which every revocation is announced, to every node and subscriber. */
export const REVOCATION_CHANNEL = 'sidekey_revocations';

export interface RevocationNotice {
  /** The audit event's id: monotonic, so subscribers can resume after it. */
  eventId: number;
  credentialId: string;
  accountId: string;
  reason: string;
}

/**
 * In-process listeners told of a revocation as it is decided, before its transaction
 * commits (the NOTIFY arrives after): a node's verification cache must never answer
 * from memory for a credential this very process just revoked.
 */
const localRevocationListeners = new Set<(notice: RevocationNotice) => void>();
export function onLocalRevocation(listener: (notice: RevocationNotice) => void): () => void {
  localRevocationListeners.add(listener);
  return () => void localRevocationListeners.delete(listener);
}

export type TransitionOutcome =
  | { applied: true; row: AppPasswordRow; auditId: number | null }
  /** The machine refuses the event, or a concurrent transition changed the row first. */
  | { applied: false; row: AppPasswordRow };

export interface TransitionDetails extends ActorMeta {
  service?: string | null;
}

/**
 * The only way a credential's state changes: ask the machine, persist its answer
 * guarded on the state we read (so of two concurrent transitions exactly one wins),
 * audit it, and — on revocation — NOTIFY, which Postgres delivers only on commit.
 */
export async function applyCredentialEvent(
  db: DbOrTx,
  row: AppPasswordRow,
  event: CredentialEvent,
  details: TransitionDetails,
): Promise<TransitionOutcome> {
  const decision = decide(toRecord(row), event);
  if (!decision.allowed) return { applied: false, row };
  if (!decision.changed) return { applied: true, row, auditId: null };

  const { context } = decision;
  const isUse = event.type === 'USE';
  const [updated] = await db
    .update(appPasswords)
    .set({
      state: decision.to,
      firstUsedAt: toDate(context.firstUsedAt),
      lastUsedAt: toDate(context.lastUsedAt),
      revokedAt: toDate(context.revokedAt),
      revokeReason: context.revokeReason,
      knownNetworks: context.knownNetworks,
      knownServices: context.knownServices,
      ...(isUse
        ? { lastUsedService: details.service ?? null, lastUsedAddress: details.address ?? null }
        : {}),
    })
    .where(
      and(
        eq(appPasswords.id, row.id),
        eq(appPasswords.state, row.state),
        // Two nodes seeing the same new network at once: only one writes (and audits) it.
        isUse ? eq(appPasswords.knownNetworks, row.knownNetworks) : undefined,
        isUse ? eq(appPasswords.knownServices, row.knownServices) : undefined,
      ),
    )
    .returning();
  if (!updated) return { applied: false, row };
  if (!decision.audited) return { applied: true, row: updated, auditId: null };

  const auditId = await recordAudit(db, {
    ...details,
    accountId: row.accountId,
    credentialId: row.id,
    action: event.type,
    fromState: decision.from,
    toState: decision.to,
    reason: context.revokeReason && decision.to === 'revoked' ? context.revokeReason : null,
    service: details.service ?? null,
    details: isUse && decision.from === 'active' ? newPlaces(row, context) : undefined,
  });

  if (decision.to === 'revoked' && decision.from !== 'revoked') {
    const notice: RevocationNotice = {
      eventId: auditId,
      credentialId: row.id,
      accountId: row.accountId,
      reason: context.revokeReason ?? 'user',
    };
    await db.execute(sql`SELECT pg_notify(${REVOCATION_CHANNEL}, ${JSON.stringify(notice)})`);
    for (const listener of localRevocationListeners) listener(notice);
  }
  return { applied: true, row: updated, auditId };
}

export function toRecord(row: AppPasswordRow): CredentialRecord {
  return {
    state: row.state,
    expiresAt: row.expiresAt?.getTime() ?? null,
    firstUsedAt: row.firstUsedAt?.getTime() ?? null,
    lastUsedAt: row.lastUsedAt?.getTime() ?? null,
    revokedAt: row.revokedAt?.getTime() ?? null,
    revokeReason: row.revokeReason,
    knownNetworks: row.knownNetworks,
    knownServices: row.knownServices,
  };
}

/** What made a use of a working credential worth auditing: a new network, a new service, or both. */
function newPlaces(row: AppPasswordRow, context: CredentialContext) {
  return {
    newNetwork: context.knownNetworks.find((n) => !row.knownNetworks.includes(n)) ?? null,
    newService: context.knownServices.find((s) => !row.knownServices.includes(s)) ?? null,
  };
}

function toDate(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}
