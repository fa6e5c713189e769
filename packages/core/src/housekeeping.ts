import { passwordResetTokens, sessions, throttles } from '@sidekey/db';
import { and, isNotNull, isNull, lt, or } from 'drizzle-orm';
import type { Deps } from './deps.ts';

/**
 * A throttle row is kept this long after its last failure. Long enough that waiting
 * out a day does not reset an attacker's count toward the 100-failure lock (NIST SP
 * 800-63B §5.2.2 counts consecutive failures), short enough that the table of guesses
 * against unknown emails does not grow without end.
 */
export const THROTTLE_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

export interface PruneReport {
  sessions: number;
  resetTokens: number;
  throttles: number;
}

/**
 * Deletes what can never be used again: expired sessions, used or expired reset
 * tokens, and throttle rows long idle and no longer blocking. Safe to run on every
 * node at once; the server runs it hourly, `sidekey prune` on demand.
 */
export async function pruneExpired(deps: Deps): Promise<PruneReport> {
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
  return {
    sessions: endedSessions.length,
    resetTokens: spentTokens.length,
    throttles: idleThrottles.length,
  };
}
