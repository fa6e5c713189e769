import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { appPasswords } from './app-passwords.ts';
import { createdAt, instant } from './columns.ts';

/**
 * Short-lived, single-use links that carry a freshly generated app password to the owner's
 * phone (a QR code on the page opens one). The link's token is only in the URL the owner
 * scans; the row holds its SHA-256 and the password sealed with the server key (AES-GCM),
 * and is deleted when used or expired.
 */
export const connectLinks = pgTable(
  'connect_links',
  {
    /** SHA-256 of the link token, base64url. */
    id: text('id').primaryKey(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    credentialId: uuid('credential_id')
      .notNull()
      .references(() => appPasswords.id, { onDelete: 'cascade' }),
    /** The app password, sealed (AES-256-GCM, bound to the row id). */
    passwordSealed: text('password_sealed').notNull(),
    createdAt: createdAt(),
    expiresAt: instant('expires_at').notNull(),
  },
  (table) => [index('connect_links_expires_idx').on(table.expiresAt)],
);
