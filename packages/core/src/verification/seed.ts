import type { Database } from '@sidekey/db';
import { sql } from 'drizzle-orm';
import { generateAppPassword } from '../app-passwords/format.ts';
import { LOOKUP_HASH_PURPOSE } from '../app-passwords/app-passwords.ts';
import { keyedHash, type ServerKeys } from '../secrets/server-keys.ts';
import { networkOf } from './network.ts';

export interface SeedOptions {
  accounts: number;
  /** App passwords per account (at most the product limit, 25, to stay realistic). */
  perAccount: number;
  /** When every credential was last used (active, used from `address` over imap). */
  lastUsedAt: Date;
  address?: string;
  /** How many credentials to hand back with their passwords (the rest are only stored). */
  keep?: number;
  /** Rows per INSERT statement. */
  batch?: number;
  /** Distinguishes the emails of several seedings on one database. */
  tag?: string;
}

export interface SeededCredential {
  email: string;
  password: string;
}

/**
 * Fills a database for benchmarks at a mail provider's size: accounts (with an unusable
 * password hash, so nobody can sign in to them) and active app passwords, written with
 * multi-row INSERT … SELECT FROM jsonb_to_recordset statements, thousands of rows each.
 */
export async function seedCredentials(
  database: Database,
  keys: ServerKeys,
  options: SeedOptions,
): Promise<SeededCredential[]> {
  const { db } = database;
  const batch = options.batch ?? 5_000;
  const tag = options.tag ?? Date.now().toString(36);
  const address = options.address ?? '127.0.0.1';
  const network = networkOf(address);
  const usedAt = options.lastUsedAt.toISOString();
  const keep = options.keep ?? 1_000;
  const kept: SeededCredential[] = [];
  const accountsPerBatch = Math.max(1, Math.floor(batch / options.perAccount));

  for (let first = 0; first < options.accounts; first += accountsPerBatch) {
    const count = Math.min(accountsPerBatch, options.accounts - first);
    const emails = Array.from({ length: count }, (_, i) => `seed-${tag}-${first + i}@example.org`);
    const ids = await db.execute<{ id: string; email: string }>(sql`
      INSERT INTO accounts (email, password_hash)
      SELECT e, 'seeded: no password' FROM jsonb_array_elements_text(${JSON.stringify(emails)}::jsonb) AS e
      RETURNING id, email`);
    const accountRows = rowsOf<{ id: string; email: string }>(ids);
    const credentials = [];
    for (const account of accountRows) {
      for (let j = 0; j < options.perAccount; j++) {
        const secret = generateAppPassword();
        if (kept.length < keep) kept.push({ email: account.email, password: secret.display });
        credentials.push({
          account_id: account.id,
          label: `Device ${j + 1}`,
          lookup_hash: keyedHash(keys.current, LOOKUP_HASH_PURPOSE, secret.canonical),
          key_id: keys.current.id,
        });
      }
    }
    await db.execute(sql`
      INSERT INTO app_passwords (account_id, label, scopes, state, lookup_hash, key_id,
        first_used_at, last_used_at, last_used_service, last_used_address,
        known_networks, known_services)
      SELECT c.account_id, c.label, ARRAY['mail','contacts','calendars','files'], 'pending',
        c.lookup_hash, c.key_id, ${usedAt}::timestamptz, ${usedAt}::timestamptz, 'imap',
        ${address}, ARRAY[${network}]::text[], ARRAY['imap']
      FROM jsonb_to_recordset(${JSON.stringify(credentials)}::jsonb)
        AS c(account_id uuid, label text, lookup_hash text, key_id text)`);
    // Created pending, as the lifecycle trigger demands, then moved along its USE edge.
    await db.execute(sql`
      UPDATE app_passwords SET state = 'active'
      WHERE state = 'pending'
        AND account_id IN (SELECT (a ->> 'id')::uuid FROM jsonb_array_elements(${JSON.stringify(accountRows)}::jsonb) AS a)`);
  }
  return kept;
}

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
