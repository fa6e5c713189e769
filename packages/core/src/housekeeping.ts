import { appPasswords, auditEvents, passwordResetTokens, sessions, throttles } from '@sidekey/db';
import { and, eq, isNotNull, isNull, lt, notExists, or, sql } from 'drizzle-orm';
import { recordAudit } from './audit.ts';
import type { Deps } from './deps.ts';

/**
 * A throttle row is kept this long after its last failure. Long enough that waiting
 * out a day does not reset an attacker's count toward the 100-failure lock (NIST SP
 * 800-63B §5.2.2 counts consecutive failures), short enough that the table of guesses
 * against unknown emails does not grow without end.
 */
export const THROTTLE_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** SIDEKEY_AUDIT_RETENTION_DAYS' default: over a year, so last year's events can be compared. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 400;

export interface PruneReport {
  sessions: number;
  resetTokens: number;
  throttles: number;
  auditEvents: number;
}

export interface PruneOptions {
  /** Audit events older than this are deleted, except those of live credentials. */
  auditRetentionDays?: number;
}

/**
 * Deletes what can never be used again: expired sessions, used or expired reset
 * tokens, and throttle rows long idle and no longer blocking. Safe to run on every
 * node at once; the server runs it hourly, `sidekey prune` on demand.
 */
export async function pruneExpired(deps: Deps, options: PruneOptions = {}): Promise<PruneReport> {
  const at = deps.now();
  const idleSince = new Date(at.getTime() - THROTTLE_RETENTION_MS);
  const [endedSessions, spentTokens, idleThrottles] = await Promise.all([
    deps.db
      .delete(sessions)
      .where(or(lt(sessions.expiresAt, at), lt(sessions.absoluteExpiresAt, at)))
      .returning({ id: sessions.id }),
    deps.db
      .delete(passwordResetTokens)
      .where(or(lt(passwordResetTokens.expiresAt, at), isNotNull(passwordResetTokens.usedAt)))
      .returning({ id: passwordResetTokens.id }),
    deps.db
      .delete(throttles)
      .where(
        and(
          lt(throttles.lastFailureAt, idleSince),
          or(isNull(throttles.blockedUntil), lt(throttles.blockedUntil, at)),
        ),
      )
      .returning({ key: throttles.key }),
  ]);
  const auditEvents = await pruneAudit(
    deps,
    options.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS,
  );
  return {
    sessions: endedSessions.length,
    resetTokens: spentTokens.length,
    throttles: idleThrottles.length,
    auditEvents,
  };
}

/**
 * The one way audit events leave the append-only log: older than the retention, and not
 * about a credential that still works (its whole history stays while it lives; once
 * revoked it ages out like the rest). The transaction marks itself for the database
 * trigger, and what it removed is itself audited.
 */
export async function pruneAudit(deps: Deps, retentionDays: number): Promise<number> {
  const cutoff = new Date(deps.now().getTime() - retentionDays * 24 * 60 * 60 * 1000);
  return deps.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT set_config('sidekey.audit_prune', 'on', true)`);
    const removed = await tx
      .delete(auditEvents)
      .where(
        and(
          lt(auditEvents.at, cutoff),
          or(
            isNull(auditEvents.credentialId),
            notExists(
              tx
                .select({ id: appPasswords.id })
                .from(appPasswords)
                .where(
                  and(
                    eq(appPasswords.id, auditEvents.credentialId),
                    sql`${appPasswords.state} <> 'revoked'`,
                  ),
                ),
            ),
          ),
        ),
      )
      .returning({ id: auditEvents.id });
    if (removed.length > 0) {
      await recordAudit(tx, {
        actor: 'system',
        action: 'audit_pruned',
        details: { removed: removed.length, olderThan: cutoff.toISOString(), retentionDays },
      });
    }
    return removed.length;
  });
}
