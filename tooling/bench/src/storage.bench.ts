import { serverKeys } from '@sidekey/core';
import { seedCredentials } from '@sidekey/core/testing';
import { sql } from 'drizzle-orm';
import { createBenchDatabase } from './bench-database.ts';

const SECRET = 'bench-server-secret-that-is-long-enough-0123';

/**
 * `pnpm bench --storage` (Postgres only): bytes per account, per app password and per
 * audit event, from pg_total_relation_size (table, indexes and TOAST) after seeding, so an
 * operator can compute the database's ceiling from their numbers and retention.
 */
export async function benchStorage(accounts = 4_000, perAccount = 25, events = 100_000) {
  if (!process.env.DATABASE_URL) throw new Error('--storage measures Postgres: set DATABASE_URL.');
  const target = await createBenchDatabase('storage');
  const database = await target.open();
  try {
    const sizes = async () => {
      const result = await database.db.execute<{ table: string; bytes: string }>(sql`
        SELECT relname AS table, pg_total_relation_size(oid) AS bytes FROM pg_class
        WHERE relname IN ('accounts', 'app_passwords', 'audit_events') AND relkind = 'r'`);
      const rows = (Array.isArray(result) ? result : []) as { table: string; bytes: string }[];
      return Object.fromEntries(rows.map((row) => [row.table, Number(row.bytes)]));
    };
    const before = await sizes();
    await seedCredentials(database, serverKeys(SECRET), {
      accounts,
      perAccount,
      lastUsedAt: new Date(),
      keep: 0,
    });
    // Audit events shaped like a use from a new network: the most common row left.
    await database.db.execute(sql`
      INSERT INTO audit_events (account_id, credential_id, actor, action, from_state, to_state,
        service, address, user_agent, details)
      SELECT p.account_id, p.id, 'service', 'USE', 'active', 'active', 'imap', '203.0.113.77',
        'Dovecot/2.3 Thunderbird/128.0', '{"newNetwork":"203.0.113.0/24","newService":null}'::jsonb
      FROM app_passwords p, generate_series(1, ${Math.ceil(events / (accounts * perAccount))})
      LIMIT ${events}`);
    await database.db.execute(sql`VACUUM ANALYZE`);
    const after = await sizes();
    const per = (table: string, count: number) =>
      Math.round(((after[table] ?? 0) - (before[table] ?? 0)) / count);
    const out = (line: string) => process.stdout.write(`${line}\n`);
    out(`\n## storage on Postgres (pg_total_relation_size: table + indexes + TOAST)`);
    out(`bytes per account (no two-factor secret, short hash): ${per('accounts', accounts)}`);
    out(
      `bytes per app password:                              ${per('app_passwords', accounts * perAccount)}`,
    );
    out(`bytes per audit event:                               ${per('audit_events', events)}`);
  } finally {
    await database.close();
    await target.dispose();
  }
}
