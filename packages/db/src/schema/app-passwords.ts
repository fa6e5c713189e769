import { persistedStates, revokeReasons } from '@sidekey/lifecycle';
import { sql } from 'drizzle-orm';
import { check, index, pgEnum, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { createdAt, instant } from './columns.ts';

/** The database accepts exactly the lifecycle's states and reasons, read from the machine. */
export const credentialState = pgEnum('credential_state', persistedStates);
export const revokeReason = pgEnum('revoke_reason', revokeReasons);

export const appPasswordScopes = ['mail', 'contacts', 'calendars', 'files'] as const;
export const LABEL_MAX_LENGTH = 64;

export const appPasswords = pgTable(
  'app_passwords',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    label: text('label').notNull(),
    scopes: text('scopes', { enum: appPasswordScopes }).array().notNull(),
    state: credentialState('state').notNull().default('pending'),
    /** HMAC-SHA-256 of the normalised secret under the server key `keyId`, base64url. */
    lookupHash: text('lookup_hash').notNull().unique(),
    keyId: text('key_id').notNull(),
    createdAt: createdAt(),
    expiresAt: instant('expires_at'),
    firstUsedAt: instant('first_used_at'),
    lastUsedAt: instant('last_used_at'),
    lastUsedService: text('last_used_service'),
    lastUsedAddress: text('last_used_address'),
    revokedAt: instant('revoked_at'),
    revokeReason: revokeReason('revoke_reason'),
    /**
     * Networks (/24, /48) and services this credential was used from/for (at most 16 each,
     * oldest first): a use from one not listed is audited; others are only telemetry.
     */
    knownNetworks: text('known_networks')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    knownServices: text('known_services')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
  },
  (table) => [
    index('app_passwords_account_state_idx').on(table.accountId, table.state),
    check(
      'app_passwords_label_present',
      sql`length(btrim(${table.label})) between 1 and ${sql.raw(String(LABEL_MAX_LENGTH))}`,
    ),
    check('app_passwords_scopes_present', sql`cardinality(${table.scopes}) >= 1`),
    check(
      'app_passwords_scopes_known',
      sql`${table.scopes} <@ ARRAY[${sql.raw(appPasswordScopes.map((s) => `'${s}'`).join(', '))}]::text[]`,
    ),
    check(
      'app_passwords_revocation_complete',
      sql`(${table.state} = 'revoked') = (${table.revokedAt} IS NOT NULL AND ${table.revokeReason} IS NOT NULL)`,
    ),
    check(
      'app_passwords_first_use_recorded',
      sql`${table.state} <> 'active' OR ${table.firstUsedAt} IS NOT NULL`,
    ),
  ],
);
