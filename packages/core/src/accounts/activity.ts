import { appPasswords, auditEvents } from '@sidekey/db';
import { and, desc, eq, lt } from 'drizzle-orm';
import type { Deps } from '../deps.ts';

export const ACTIVITY_DEFAULT_LIMIT = 50;
export const ACTIVITY_MAX_LIMIT = 200;

/**
 * The account's audit trail, newest first, each credential's label joined: the UI's
 * "Recent activity". Paged by event id (`before`), which is monotonic.
 */
export function activityService(deps: Deps) {
  async function activity(accountId: string, options: { limit?: number; before?: number } = {}) {
    const limit = Math.min(
      Math.max(options.limit ?? ACTIVITY_DEFAULT_LIMIT, 1),
      ACTIVITY_MAX_LIMIT,
    );
    return deps.db
      .select({
        id: auditEvents.id,
        at: auditEvents.at,
        action: auditEvents.action,
        actor: auditEvents.actor,
        credentialId: auditEvents.credentialId,
        label: appPasswords.label,
        service: auditEvents.service,
        address: auditEvents.address,
        userAgent: auditEvents.userAgent,
        reason: auditEvents.reason,
        fromState: auditEvents.fromState,
        toState: auditEvents.toState,
      })
      .from(auditEvents)
      .leftJoin(appPasswords, eq(appPasswords.id, auditEvents.credentialId))
      .where(
        and(
          eq(auditEvents.accountId, accountId),
          options.before !== undefined ? lt(auditEvents.id, options.before) : undefined,
        ),
      )
      .orderBy(desc(auditEvents.id))
      .limit(limit);
  }
  return { activity };
}
