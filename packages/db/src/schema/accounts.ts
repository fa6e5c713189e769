import { sql } from 'drizzle-orm';
import { bigint, check, index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, instant } from './columns.ts';

export const accountRoles = ['owner', 'admin'] as const;

export const accounts = pgTable(
  'accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Normalised (trimmed, lower-case) before it reaches the database. */
    email: text('email').notNull().unique(),
    /** argon2id PHC string. */
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: accountRoles }).notNull().default('owner'),
    /** TOTP secret sealed with the server key (AES-GCM); null until enrolment is confirmed. */
    totpSecretSealed: text('totp_secret_sealed'),
    /** Secret offered by beginEnrollment, not yet confirmed with a code. */
    totpPendingSecretSealed: text('totp_pending_secret_sealed'),
    totpEnabledAt: instant('totp_enabled_at'),
    /** RFC 6238 time step of the last accepted code: each step is accepted at most once. */
    totpLastStep: bigint('totp_last_step', { mode: 'number' }),
    passwordChangedAt: instant('password_changed_at').notNull().defaultNow(),
    createdAt: createdAt(),
  },
  (table) => [
    check(
      'accounts_email_shape',
      sql`${table.email} = lower(btrim(${table.email})) AND position('@' in ${table.email}) > 1`,
    ),
    check('accounts_role_known', sql`${table.role} IN ('owner', 'admin')`),
  ],
);

/** Web sessions: the cookie holds a random token, the table only its SHA-256. */
export const sessions = pgTable(
  'sessions',
  {
    /** SHA-256 of the cookie token, hex. */
    id: text('id').primaryKey(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    /** Sliding expiry, pushed forward as the session is used… */
    expiresAt: instant('expires_at').notNull(),
    /** …but never past this absolute limit. */
    absoluteExpiresAt: instant('absolute_expires_at').notNull(),
    lastSeenAt: instant('last_seen_at').notNull().defaultNow(),
    /** Last time the owner re-entered the password (and code): sensitive actions need it recent. */
    reauthenticatedAt: instant('reauthenticated_at').notNull().defaultNow(),
    address: text('address'),
    userAgent: text('user_agent'),
  },
  (table) => [
    index('sessions_account_idx').on(table.accountId),
    // Pruning deletes sessions past either expiry every hour: one index each lets it read
    // only the expired ones (a BitmapOr) instead of every session.
    index('sessions_expires_idx').on(table.expiresAt),
    index('sessions_absolute_expires_idx').on(table.absoluteExpiresAt),
  ],
);

/** One-time recovery codes for two-factor, argon2id-hashed, each usable once. */
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: instant('used_at'),
    createdAt: createdAt(),
  },
  (table) => [index('recovery_codes_account_idx').on(table.accountId)],
);

/** Password-reset links: single use, short-lived, only the token's SHA-256 stored. */
export const passwordResetTokens = pgTable(
  'password_reset_tokens',
  {
    id: text('id').primaryKey(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    expiresAt: instant('expires_at').notNull(),
    usedAt: instant('used_at'),
  },
  (table) => [index('password_reset_tokens_account_idx').on(table.accountId)],
);
