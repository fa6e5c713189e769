import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, instant } from './columns.ts';

/** The protocols a relying service can verify app passwords for. */
export const serviceProtocols = ['imap', 'pop3', 'smtp', 'caldav', 'carddav', 'webdav'] as const;
export type ServiceProtocol = (typeof serviceProtocols)[number];

const protocolArray = sql.raw(`ARRAY[${serviceProtocols.map((p) => `'${p}'`).join(', ')}]::text[]`);

/** Relying services (IMAP/SMTP/DAV servers, backends) allowed to verify and subscribe. */
export const serviceKeys = pgTable(
  'service_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    /** SHA-256 of the key, base64url: the key itself is shown once. */
    keyHash: text('key_hash').notNull().unique(),
    /**
     * What this key may verify, chosen when it is made (least privilege: a mail server's
     * key cannot ask about calendar passwords). Keys made before the column existed get
     * every protocol, so an upgrade breaks no running service.
     */
    protocols: text('protocols', { enum: serviceProtocols })
      .array()
      .notNull()
      .default(sql`${protocolArray}`),
    createdAt: createdAt(),
    lastUsedAt: instant('last_used_at'),
    revokedAt: instant('revoked_at'),
  },
  (table) => [
    index('service_keys_name_idx').on(table.name),
    check('service_keys_protocols_present', sql`cardinality(${table.protocols}) >= 1`),
    check('service_keys_protocols_known', sql`${table.protocols} <@ ${protocolArray}`),
  ],
);
