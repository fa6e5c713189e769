import postgres from 'postgres';

/** A table this big is read by index on a hot path, or the path's cost grows with it. */
export const LARGE_TABLE_ROWS = 50_000;

export interface HotQuery {
  name: string;
  /** The statement as core sends it (copied from the function named in `name`), literals inlined. */
  sql: string;
}

export interface PlanFinding {
  query: string;
  /** Sequential scans of large tables, e.g. "audit_events (2,100,000 rows)". */
  seqScans: string[];
  executionMs: number;
}

const quote = (value: string) => `'${value.replaceAll("'", "''")}'`;

/**
 * The statements behind verify, sign-in, the owner's list, the review and pruning, with
 * values from the database itself. Copies, not the builders' output: core builds them
 * inside its services; a changed query there must be changed here too (the names say where).
 */
export function hotQueries(values: {
  lookupHash: string;
  email: string;
  accountId: string;
  credentialId: string;
}): HotQuery[] {
  const yearAgo = `now() - interval '365 days'`;
  return [
    {
      name: 'verify: lookup (verification/verify.ts prepareLookUp)',
      sql: `SELECT p.*, a.email, t.blocked_until, t.username_failure_rows
        FROM (SELECT max(blocked_until) AS blocked_until,
                count(*) FILTER (WHERE key = 'verify:user:x') AS username_failure_rows
              FROM throttles WHERE key IN ('verify:user:x', 'verify:addr:127.0.0.1')) t
        LEFT JOIN app_passwords p ON p.lookup_hash IN (${quote(values.lookupHash)})
        LEFT JOIN accounts a ON a.id = p.account_id`,
    },
    {
      name: 'verify: last-used flush (verification/use-telemetry.ts)',
      sql: `UPDATE app_passwords AS p
        SET last_used_at = v.at, last_used_service = v.service, last_used_address = v.address
        FROM jsonb_to_recordset(${quote(JSON.stringify([{ id: values.credentialId, at: new Date().toISOString(), service: 'imap', address: '127.0.0.1' }]))}::jsonb)
          AS v(id uuid, at timestamptz, service text, address text)
        WHERE p.id = v.id AND p.state = 'active'
          AND (p.last_used_at IS NULL OR p.last_used_at < v.at)`,
    },
    {
      name: 'sign-in: account by email (accounts/authentication.ts signIn)',
      sql: `SELECT * FROM accounts WHERE email = ${quote(values.email)}`,
    },
    {
      name: "owner's list: expiry check (app-passwords.ts expireDue)",
      sql: `SELECT * FROM app_passwords WHERE account_id = ${quote(values.accountId)}
        AND state <> 'revoked' AND expires_at <= now()`,
    },
    {
      name: "owner's list (app-passwords.ts list)",
      sql: `SELECT * FROM app_passwords WHERE account_id = ${quote(values.accountId)}
        ORDER BY created_at DESC, id DESC`,
    },
    {
      name: 'review: newest snapshot a year ago (lifecycle-review/totals.ts totalsAt)',
      sql: `SELECT max(through) FROM lifecycle_edge_totals WHERE through <= ${yearAgo}`,
    },
    {
      name: 'review: the snapshot\'s edges (lifecycle-review/totals.ts totalsAt)',
      sql: `SELECT event, from_state, to_state, reason, total FROM lifecycle_edge_totals
        WHERE through = (SELECT max(through) FROM lifecycle_edge_totals)`,
    },
    {
      name: 'review: the snapshot\'s states (lifecycle-review/totals.ts totalsAt)',
      sql: `SELECT state, total FROM lifecycle_state_totals
        WHERE through = (SELECT max(through) FROM lifecycle_state_totals)`,
    },
    {
      name: 'review: the unfolded tally (lifecycle-review/totals.ts totalsAt)',
      sql: `SELECT event, from_state, to_state, reason, count(*) FROM lifecycle_tally
        WHERE at <= now() GROUP BY event, from_state, to_state, reason`,
    },
    {
      name: 'prune: fold the tally (lifecycle-review/totals.ts foldLifecycleTally)',
      sql: `DELETE FROM lifecycle_tally WHERE at < date_trunc('hour', now(), 'UTC')
        RETURNING event, from_state, to_state, reason`,
    },
    {
      name: 'prune: sessions (housekeeping.ts pruneExpired)',
      sql: `DELETE FROM sessions WHERE expires_at < now() OR absolute_expires_at < now()`,
    },
    {
      name: 'prune: throttles (housekeeping.ts pruneExpired)',
      sql: `DELETE FROM throttles WHERE last_failure_at < now() - interval '7 days'
        AND (blocked_until IS NULL OR blocked_until < now())`,
    },
    {
      name: 'prune: audit retention (housekeeping.ts pruneAudit)',
      sql: `DELETE FROM audit_events WHERE created_at < now() - interval '400 days'
        AND (credential_id IS NULL OR NOT EXISTS (SELECT id FROM app_passwords
          WHERE app_passwords.id = audit_events.credential_id AND state <> 'revoked'))`,
    },
    {
      name: 'prune: connect links (connect/links.ts pruneExpired)',
      sql: `DELETE FROM connect_links WHERE expires_at < now()`,
    },
  ];
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of each query inside a transaction rolled back, so the
 * DELETEs and UPDATEs run for real and change nothing.
 */
export async function explainAll(url: string, queries: HotQuery[]): Promise<PlanFinding[]> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const sizes = new Map<string, number>();
    for (const row of await client<{ relname: string; rows: number }[]>`
      SELECT relname, reltuples::bigint AS rows FROM pg_class WHERE relkind = 'r'`) {
      sizes.set(row.relname, Number(row.rows));
    }
    const findings: PlanFinding[] = [];
    for (const query of queries) {
      const plan = await client
        .begin(async (tx) => {
          // The audit log refuses deletes outside pruning's own transactions.
          await tx.unsafe(`SELECT set_config('sidekey.audit_prune', 'on', true)`);
          const [row] = await tx.unsafe(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${query.sql}`);
          throw new Rollback((row as Record<string, unknown>)['QUERY PLAN']);
        })
        .catch((error: unknown) => {
          if (error instanceof Rollback) return error.plan;
          throw error;
        });
      const [top] = plan as { Plan: PlanNode; 'Execution Time': number }[];
      const seqScans = seqScansOf(top!.Plan)
        .filter((table) => (sizes.get(table) ?? 0) >= LARGE_TABLE_ROWS)
        .map((table) => `${table} (${(sizes.get(table) ?? 0).toLocaleString('en')} rows)`);
      findings.push({
        query: query.name,
        seqScans,
        executionMs: top!['Execution Time'],
      });
    }
    return findings;
  } finally {
    await client.end();
  }
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

function seqScansOf(node: PlanNode): string[] {
  const own =
    node['Node Type'] === 'Seq Scan' && node['Relation Name'] ? [node['Relation Name']] : [];
  return [...own, ...(node.Plans ?? []).flatMap(seqScansOf)];
}

/** Carries the plan out of the transaction that must not commit. */
class Rollback extends Error {
  constructor(readonly plan: unknown) {
    super('rolled back');
  }
}
