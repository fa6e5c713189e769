import { primaryKey, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { appPasswords } from './app-passwords.ts';
import { instant } from './columns.ts';

/**
 * When the owner was last mailed that an app password was refused for a protocol it may
 * not reach. One row per password and protocol, so a device retrying every minute is
 * mailed about once a day: the row is claimed with one conditional upsert, which only
 * one of any number of concurrent refusals (on any node) can win.
 */
export const refusalNotices = pgTable(
  'refusal_notices',
  {
    credentialId: uuid('credential_id')
      .notNull()
      .references(() => appPasswords.id, { onDelete: 'cascade' }),
    service: text('service').notNull(),
    mailedAt: instant('mailed_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.credentialId, table.service] })],
);
