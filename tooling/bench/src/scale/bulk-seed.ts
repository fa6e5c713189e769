import { foldLifecycleTally } from '@sidekey/core';
import type { Database } from '@sidekey/db';
import { sql } from 'drizzle-orm';

export interface BulkOptions {
  /** Accounts to add besides those already in the database. */
  accounts: number;
  /** Active app passwords for each of them. */
  perAccount: number;
  /** Real argon2id hashes, shared round-robin: a million distinct ones would take hours. */
  passwordHashes: string[];
  /** The server key id the lookup hashes claim. */
  keyId: string;
  /** Rows are dated over this many days before now, so period queries and pruning see spread. */
  spreadDays: number;
}

/**
 * Fills a Postgres database to a provider's size in a few set-based statements
 * (INSERT … SELECT generate_series), server-side, with no row crossing the wire. The
 * bulk credentials' lookup hashes are SHA-256 of their id, the same length as a real
 * HMAC but matching no password: the credentials a benchmark verifies are seeded apart,
 * with real hashes, by `seedCredentials`.
 *
 * Triggers are off for the load (session_replication_role = replica, superuser only):
 * the lifecycle trigger would have every credential inserted pending and updated to
 * active, writing the table twice, and the foreign-key checks are per row. The rows are
 * written consistent, so nothing the triggers would check is skipped in substance.
 */
export async function seedBulk(database: Database, options: BulkOptions): Promise<void> {
  const { db } = database;
  const hashes = `ARRAY[${options.passwordHashes.map((h) => `'${h.replaceAll("'", "''")}'`).join(',')}]::text[]`;
  // Distinct instants, as real rows have: an index over repeated ones deduplicates and
  // would measure smaller than it will be. Accounts are at least 11 hours old, so their
  // credentials (created up to 10 hours after the account) are never dated in the future.
  const spread = options.spreadDays;
  await db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL session_replication_role = replica`);
    if (options.accounts > 0) {
      await tx.execute(sql`
        INSERT INTO accounts (email, password_hash, created_at, password_changed_at)
        SELECT 'bulk-' || i || '@example.org',
          (${sql.raw(hashes)})[1 + i % ${options.passwordHashes.length}],
          now() - (i % ${spread}) * interval '1 day' - (1 + i % 43200) * interval '1 second'
            - interval '11 hours',
          now() - (i % ${spread}) * interval '1 day' - (1 + i % 43200) * interval '1 second'
            - interval '11 hours'
        FROM generate_series(1, ${options.accounts}) AS i`);
      await tx.execute(sql`
        INSERT INTO app_passwords (account_id, label, scopes, state, lookup_hash, key_id,
          created_at, first_used_at, last_used_at, last_used_service, last_used_address,
          known_networks, known_services)
        SELECT a.id, 'Device ' || j, ARRAY['mail','contacts','calendars','files'], 'active',
          translate(encode(sha256((a.id::text || ':' || j)::bytea), 'base64'), '+/=', '-_'),
          ${options.keyId}, a.created_at + j * interval '1 hour',
          a.created_at + j * interval '1 hour' + interval '5 minutes',
          now() - (j * 7 % 60) * interval '1 minute', 'imap', '198.51.100.' || j,
          ARRAY['198.51.100.0/24'], ARRAY['imap']
        FROM accounts a CROSS JOIN generate_series(1, ${options.perAccount}) AS j
        WHERE a.email LIKE 'bulk-%'`);
    }
  });
}

/**
 * Dates the credentials already seeded (the probes) over `spreadDays` like the bulk ones, so
 * the small database's history spans the same year as the large one's and a review over a
 * year reads the same snapshots in both: only the number of credentials differs.
 */
export async function spreadSeeded(database: Database, spreadDays: number): Promise<void> {
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL session_replication_role = replica`);
    await tx.execute(sql`
      UPDATE app_passwords p SET created_at = s.at, first_used_at = s.at + interval '5 minutes'
      FROM (SELECT id, now() - (1 + row_number() OVER (ORDER BY id) % ${spreadDays}) * interval '1 day'
              - (row_number() OVER (ORDER BY id) % 43200) * interval '1 second' AS at
            FROM app_passwords) s
      WHERE p.id = s.id`);
  });
}

/**
 * The audit trail every credential in the database would have — its GENERATE, its first
 * USE (pending → active) — and one sign-in and one live session per account: what the
 * review, the owner's history and pruning read. For the probe credentials too, so the
 * small and the large database hold the same shape.
 */
export async function seedHistory(database: Database): Promise<void> {
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL session_replication_role = replica`);
    await tx.execute(sql`
      INSERT INTO audit_events (created_at, account_id, credential_id, actor, action, from_state, to_state,
        service, address, user_agent, details)
      SELECT e.at, p.account_id, p.id, e.actor, e.action, e.from_state, e.to_state, e.service,
        e.address, e.user_agent, e.details
      FROM app_passwords p CROSS JOIN LATERAL (VALUES
        (p.created_at, 'owner', 'GENERATE', 'new', 'pending', NULL, '192.0.2.10',
          'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
          jsonb_build_object('label', p.label, 'scopes', p.scopes)),
        (p.first_used_at, 'service', 'USE', 'pending', 'active', 'imap', p.last_used_address,
          'Dovecot/2.3 Thunderbird/128.0',
          '{"newNetwork":"198.51.100.0/24","newService":"imap"}'::jsonb)
      ) AS e(at, actor, action, from_state, to_state, service, address, user_agent, details)
      ORDER BY e.at`);
    // With triggers off, the database's own tally of lifecycle steps is written here instead.
    await tx.execute(sql`
      INSERT INTO lifecycle_tally (at, event, from_state, to_state, reason, left_state)
      SELECT created_at, action, from_state, to_state, reason,
        lag(to_state) OVER (PARTITION BY credential_id ORDER BY id)
      FROM audit_events
      WHERE credential_id IS NOT NULL AND to_state IS NOT NULL ORDER BY created_at`);
    await tx.execute(sql`
      INSERT INTO audit_events (created_at, account_id, actor, action, address, user_agent, details)
      SELECT a.created_at, a.id, 'owner', 'sign_in', '192.0.2.10',
        'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
        '{"method":"password"}'::jsonb
      FROM accounts a ORDER BY a.created_at`);
    await tx.execute(sql`
      INSERT INTO sessions (id, account_id, expires_at, absolute_expires_at, address, user_agent)
      SELECT encode(sha256(a.id::text::bytea), 'hex'), a.id, now() + interval '7 days',
        now() + interval '30 days', '192.0.2.10', 'Mozilla/5.0 Firefox/128.0'
      FROM accounts a`);
  });
}

/**
 * Folds the seeded history as hourly housekeeping would have while it was written: what
 * thinning leaves, one snapshot a day before the last month and one an hour within it.
 */
export async function foldHistory(database: Database, spreadDays: number): Promise<number> {
  const HOUR = 3600_000;
  const hourlySince = Date.now() - 31 * 24 * HOUR;
  let instant = new Date(Date.now() - (spreadDays + 1) * 24 * HOUR);
  instant.setUTCHours(0, 0, 0, 0);
  let folds = 0;
  while (instant.getTime() <= Date.now()) {
    await foldLifecycleTally(database.db, { upTo: instant });
    folds++;
    const step = instant.getTime() < hourlySince ? 24 * HOUR : HOUR;
    instant = new Date(instant.getTime() + step);
  }
  // And the current hour's steps too, which housekeeping would leave for the next hour: both
  // databases then start with an empty tally, and only their size differs.
  await foldLifecycleTally(database.db, { upTo: new Date() });
  return folds + 1;
}
