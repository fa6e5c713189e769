import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, instant } from './columns.ts';

/** Relying services (IMAP/SMTP/DAV servers, backends) allowed to verify and subscribe. */
export const serviceKeys = pgTable(
  'service_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    /** SHA-256 of the key, base64url: the key itself is shown once. */
    keyHash: text('key_hash').notNull().unique(),
    createdAt: createdAt(),
    lastUsedAt: instant('last_used_at'),
    revokedAt: instant('revoked_at'),
  },
  (table) => [index('service_keys_name_idx').on(table.name)],
);
