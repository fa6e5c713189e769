import { bigint, index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { appPasswords } from './app-passwords.ts';
import { createdAt } from './columns.ts';

export const auditActors = [
  'owner',
  'service',
  'system',
  'admin',
  'operator',
  'anonymous',
] as const;

/**
 * Append-only: a trigger in the migrations refuses UPDATE and DELETE. The id is
 * monotonic, so it doubles as the resumable event id of the revocation stream.
 * Never holds a secret.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: createdAt(),
    accountId: uuid('account_id').references(() => accounts.id),
    credentialId: uuid('credential_id').references(() => appPasswords.id),
    actor: text('actor', { enum: auditActors }).notNull(),
    /** A lifecycle event (GENERATE, USE, REVOKE, EXPIRE) or an account action (sign_in, …). */
    action: text('action').notNull(),
    fromState: text('from_state'),
    toState: text('to_state'),
    reason: text('reason'),
    service: text('service'),
    address: text('address'),
    userAgent: text('user_agent'),
    details: jsonb('details').$type<Record<string, unknown>>(),
  },
  (table) => [
    index('audit_events_credential_idx').on(table.credentialId, table.id),
    index('audit_events_account_idx').on(table.accountId, table.id),
    index('audit_events_action_idx').on(table.action, table.id),
    // Pruning deletes by age every hour: without it each run reads the whole log.
    index('audit_events_created_at_idx').on(table.at),
  ],
);
