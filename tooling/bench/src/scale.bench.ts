import { measureCases } from './scale/cases.ts';
import { compare, medianRows, WORSE_LIMIT } from './scale/compare.ts';
import { explainAll, hotQueries, LARGE_TABLE_ROWS } from './scale/explain.ts';
import {
  createFixture,
  disposeFixture,
  PER_ACCOUNT,
  PROBES,
  type Fixture,
} from './scale/fixture.ts';
import { bytesPerRow, tableSizes, type TableSize } from './scale/sizes.ts';
import { measureVerify } from './scale/verify-http.ts';
import type { Row } from './report.ts';
import { sql } from 'drizzle-orm';

/** The README's "Storage ceiling" figures: a measurement this far off means the README is stale. */
const README_BYTES = { accounts: 315, app_passwords: 475, audit_events: 455 };
const README_TOLERANCE = 0.15;

export interface ScaleOptions {
  credentials: number;
  rounds: number;
  keep: boolean;
  caseTimeMs: number;
  verifySeconds: number;
}

const out = (line = '') => process.stdout.write(`${line}\n`);

/**
 * `pnpm bench --scale`: the same figures on a database of PROBES app passwords and on
 * one of `credentials` (a million by default, on 100,000 accounts), each at-scale figure
 * as a ratio to its small one. The two databases are measured in alternating rounds and
 * each figure is the median over rounds, so the machine's drift falls on both alike.
 * Then EXPLAIN of the hot queries at scale, and what each table costs on disk.
 * Exits non-zero when a hot query scans a large table.
 */
export async function benchScale(options: ScaleOptions): Promise<void> {
  if (!process.env.DATABASE_URL) {
    // A sentence, not a stack trace: this is the one thing an operator trying it gets wrong.
    process.stderr.write(
      '--scale needs Postgres: set DATABASE_URL to a server where it may create (and drop) a database, e.g.\n' +
        '  DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres pnpm bench --scale\n' +
        '(A million rows is a Postgres deployment; the bulk load needs a superuser to turn triggers off for it.)\n',
    );
    process.exitCode = 1;
    return;
  }
  const small = await createFixture('small', PROBES, { keep: options.keep });
  let large: Fixture | undefined;
  try {
    out(
      `seeded ${small.credentials.toLocaleString('en')} app passwords in ${small.seedSeconds.toFixed(1)} s`,
    );
    large = await createFixture('large', options.credentials, { keep: options.keep });
    out(
      `seeded ${options.credentials.toLocaleString('en')} app passwords on ${Math.round(options.credentials / PER_ACCOUNT).toLocaleString('en')} accounts, with their audit trail and a session each, in ${large.seedSeconds.toFixed(1)} s`,
    );

    const rounds = { small: [] as Row[][], large: [] as Row[][] };
    for (let round = 1; round <= options.rounds; round++) {
      out(`round ${round} of ${options.rounds}…`);
      for (const [fixture, into] of [
        [small, rounds.small],
        [large, rounds.large],
      ] as const) {
        const cases = await measureCases(fixture, options.caseTimeMs);
        const verify = await measureVerify(fixture, options.verifySeconds);
        into.push([verify, ...cases]);
      }
    }
    const comparisons = compare(medianRows(rounds.small), medianRows(rounds.large));
    printComparisons(comparisons, small.credentials, large.credentials, options.rounds);

    const findings = await explainAll(large.database.url!, hotQueries(await planValues(large)));
    const scans = printFindings(findings);

    printSizes(await tableSizes(large.database.url!));

    if (scans > 0) {
      process.exitCode = 1;
      out(`\nFAILED: ${scans} hot quer${scans === 1 ? 'y scans' : 'ies scan'} a large table.`);
    }
  } finally {
    if (large) await disposeFixture(large);
    await disposeFixture(small);
  }
}

async function planValues(fixture: Fixture) {
  const rows = (await fixture.sidekey.deps.db.execute(sql`
    SELECT p.id, p.lookup_hash, a.email, a.id AS account_id FROM app_passwords p
    JOIN accounts a ON a.id = p.account_id
    WHERE a.email LIKE 'bulk-%' ORDER BY a.email DESC LIMIT 1`)) as unknown as {
    id: string;
    lookup_hash: string;
    email: string;
    account_id: string;
  }[];
  const row = rows[0]!;
  return {
    lookupHash: row.lookup_hash,
    email: row.email,
    accountId: row.account_id,
    credentialId: row.id,
  };
}

function printComparisons(
  comparisons: ReturnType<typeof compare>,
  smallCount: number,
  largeCount: number,
  rounds: number,
) {
  out(
    `\n## scale: ${largeCount.toLocaleString('en')} vs ${smallCount.toLocaleString('en')} app passwords (median of ${rounds} alternating rounds)`,
  );
  out(
    `${'case'.padEnd(54)} ${'fig'.padEnd(4)} ${'small'.padStart(10)} ${'at scale'.padStart(10)}  ratio`,
  );
  for (const c of comparisons) {
    out(
      `${c.name.padEnd(54)} ${c.figure.padEnd(4)} ${ms(c.smallMs).padStart(10)} ${ms(c.scaleMs).padStart(10)}  ${c.ratio.toFixed(2)}×${c.flagged ? `  ⚠ more than ${Math.round((WORSE_LIMIT - 1) * 100)} % worse` : ''}`,
    );
  }
  out('Verify is over HTTP (autocannon, whole milliseconds); the rest through core, in process.');
}

function printFindings(findings: Awaited<ReturnType<typeof explainAll>>): number {
  out(
    `\n## EXPLAIN (ANALYZE, BUFFERS) at scale: sequential scans of tables over ${LARGE_TABLE_ROWS.toLocaleString('en')} rows`,
  );
  let failing = 0;
  for (const finding of findings) {
    const verdict =
      finding.seqScans.length === 0 ? 'index only' : `SEQ SCAN ${finding.seqScans.join(', ')}`;
    if (finding.seqScans.length > 0) failing++;
    out(`${finding.query.padEnd(64)} ${ms(finding.executionMs).padStart(10)}  ${verdict}`);
  }
  return failing;
}

function printSizes(large: TableSize[]) {
  out('\n## sizes at scale (pg_total_relation_size: table + indexes + TOAST; pg_indexes_size)');
  out(
    `${'table'.padEnd(24)} ${'rows'.padStart(11)} ${'total'.padStart(10)} ${'indexes'.padStart(10)} ${'B/row'.padStart(7)}`,
  );
  for (const size of large.filter((s) => s.totalBytes > 64 * 1024)) {
    out(
      `${size.table.padEnd(24)} ${size.rows.toLocaleString('en').padStart(11)} ${mib(size.totalBytes).padStart(10)} ${mib(size.indexBytes).padStart(10)} ${String(size.rows ? Math.round(size.totalBytes / size.rows) : '-').padStart(7)}`,
    );
  }
  const accounts = large.find((size) => size.table === 'accounts')?.rows ?? 0;
  const everything = large.reduce((sum, size) => sum + size.totalBytes, 0);
  out(
    `whole database: ${mib(everything)}, ${accounts ? Math.round(everything / accounts).toLocaleString('en') : '-'} B per account with everything it owns`,
  );
  out('\n## bytes per row, against the README\'s "Storage ceiling"');
  for (const [table, readme] of Object.entries(README_BYTES)) {
    const measured = bytesPerRow(large, table);
    const off = measured !== null && Math.abs(measured / readme - 1) > README_TOLERANCE;
    out(
      `${table.padEnd(24)} at scale ${String(measured).padStart(5)} B, README ≈ ${readme} B${off ? '  ⚠ the README differs: update it' : ''}`,
    );
  }
}

function ms(value: number): string {
  return value >= 1 ? `${value.toFixed(2)} ms` : `${(value * 1000).toFixed(0)} µs`;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
