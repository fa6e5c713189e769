import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { appPasswords, appPasswordScopes } from './app-passwords.ts';
import { createdAt, instant } from './columns.ts';

export const connectRequestStates = ['pending', 'approving', 'approved', 'denied'] as const;

/**
 * An app asking for its own app password (the login flow, after RFC 8628's device
 * authorization): the app holds a poll token, the owner approves by a short user code.
 * Only the SHA-256 of the poll token is kept; the password an approval made waits here
 * sealed with the server key, and the row is deleted when the app collects it, when the
 * app hears a refusal, or when it expires — so a request lives minutes at most.
 */
export const connectRequests = pgTable(
  'connect_requests',
  {
    /** SHA-256 of the poll token (device_code), base64url. */
    id: text('id').primaryKey(),
    /** What the owner types or confirms: 8 symbols, stored without the dash. */
    userCode: text('user_code').notNull().unique(),
    /** The name the app gave itself (shown to the owner, never trusted for anything). */
    clientName: text('client_name').notNull(),
    userAgent: text('user_agent'),
    requestedScopes: text('requested_scopes', { enum: appPasswordScopes }).array().notNull(),
    /** The address that started it: pending requests are capped per address. */
    address: text('address'),
    state: text('state', { enum: connectRequestStates }).notNull().default('pending'),
    /** Seconds an app must wait between polls; grows by 5 with each poll too early. */
    intervalSeconds: integer('interval_seconds').notNull(),
    lastPolledAt: instant('last_polled_at'),
    accountId: uuid('account_id').references(() => accounts.id, { onDelete: 'cascade' }),
    credentialId: uuid('credential_id').references(() => appPasswords.id, { onDelete: 'cascade' }),
    /** The approved app password, sealed (AES-256-GCM, bound to the row id). */
    passwordSealed: text('password_sealed'),
    createdAt: createdAt(),
    expiresAt: instant('expires_at').notNull(),
  },
  (table) => [
    index('connect_requests_expires_idx').on(table.expiresAt),
    index('connect_requests_address_idx').on(table.address, table.expiresAt),
    check(
      'connect_requests_state_known',
      sql`${table.state} in (${sql.raw(connectRequestStates.map((s) => `'${s}'`).join(', '))})`,
    ),
    check(
      'connect_requests_approved_has_password',
      sql`${table.state} <> 'approved' or (${table.passwordSealed} is not null and ${table.credentialId} is not null)`,
    ),
  ],
);
