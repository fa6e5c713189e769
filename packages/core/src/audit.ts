import { auditEvents, type DbOrTx } from '@sidekey/db';
import type { ActorMeta } from './deps.ts';

export interface AuditEntry extends ActorMeta {
  accountId?: string | null;
  credentialId?: string | null;
  action: string;
  fromState?: string | null;
  toState?: string | null;
  reason?: string | null;
  service?: string | null;
  details?: Record<string, unknown>;
}

/** Appends one event to the audit log (append-only in the database); returns its id. */
export async function recordAudit(db: DbOrTx, entry: AuditEntry): Promise<number> {
  const [row] = await db
    .insert(auditEvents)
    .values({
      accountId: entry.accountId ?? null,
      credentialId: entry.credentialId ?? null,
      actor: entry.actor,
      action: entry.action,
      fromState: entry.fromState ?? null,
      toState: entry.toState ?? null,
      reason: entry.reason ?? null,
      service: entry.service ?? null,
      address: entry.address ?? null,
      userAgent: truncate(entry.userAgent),
      details: entry.details ?? null,
    })
    .returning({ id: auditEvents.id });
  return row!.id;
}

/** A user agent is the caller's text: keep it, but bounded. */
function truncate(value: string | null | undefined): string | null {
  return value ? value.slice(0, 256) : null;
}
