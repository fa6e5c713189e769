import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, eq, sql } from 'drizzle-orm';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, findMigrationsFolder, type Database } from './create-db.ts';
import {
  accounts,
  appPasswords,
  auditEvents,
  lifecycleEdgeTotals,
  lifecycleStateTotals,
  lifecycleTally,
} from './schema/index.ts';

/*
 * An install upgraded to the running totals keeps the history it already has: the migration
 * turns the audit log into one snapshot per day. Every instant here is derived from one
 * reading of the database's clock (the clock the migration and the audit log use), and the
 * steps are whole days before it, so no day boundary can fall between writing and migrating.
 */

const DAY = 24 * 3600_000;
const TOTALS_MIGRATION = '0010_lifecycle_totals';

let database: Database;
let folder: string;
/** The database's clock when the test began. */
let dbNow: number;
beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'sidekey-migrations-'));
  cpSync(findMigrationsFolder(), folder, { recursive: true });
  database = await createDb({ migrate: false });
  const [row] = await database.db
    .select({ ms: sql`extract(epoch from now()) * 1000`.mapWith(Number) })
    .from(sql`(SELECT 1) AS one`);
  dbNow = row!.ms;
});
afterAll(async () => {
  await database?.close();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

/** Applies the committed migrations before (or up to and including) the totals. */
async function migrateThrough(last: 'before' | 'all') {
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(
    readFileSync(join(findMigrationsFolder(), 'meta', '_journal.json'), 'utf8'),
  );
  const cut = journal.entries.findIndex((entry: { tag: string }) => entry.tag === TOTALS_MIGRATION);
  if (last === 'before') journal.entries = journal.entries.slice(0, cut);
  writeFileSync(journalPath, JSON.stringify(journal));
  await migrate(database.db as never, { migrationsFolder: folder });
}

function midday(daysAgo: number): Date {
  const day = new Date(dbNow - daysAgo * DAY);
  day.setUTCHours(12, 0, 0, 0);
  return day;
}

function endOf(day: Date): number {
  const end = new Date(day);
  end.setUTCHours(24, 0, 0, 0);
  return end.getTime();
}

describe('the lifecycle totals migration', () => {
  it('turns the history already in the audit log into a snapshot at the end of each day', async () => {
    await migrateThrough('before');
    const { db } = database;
    const [account] = await db
      .insert(accounts)
      .values({ email: 'history@example.org', passwordHash: 'not-a-real-hash' })
      .returning();
    const credential = async (n: number) => {
      const [row] = await db
        .insert(appPasswords)
        .values({
          accountId: account!.id,
          label: `App ${n}`,
          scopes: ['mail'],
          lookupHash: `h${n}`,
          keyId: 'k',
        })
        .returning();
      return row!.id;
    };
    const [first, second, third, pruned] = [
      await credential(1),
      await credential(2),
      await credential(3),
      await credential(4),
    ];
    const step = (at: Date, credentialId: string, action: string, from: string, to: string) =>
      db.insert(auditEvents).values({
        at,
        actor: 'system',
        credentialId,
        action,
        fromState: from,
        toState: to,
        reason: action === 'REVOKE' ? 'user' : null,
      });
    for (const id of [first!, second!, third!]) {
      await step(midday(5), id, 'GENERATE', 'new', 'pending');
    }
    await step(midday(3), first!, 'USE', 'pending', 'active');
    await step(midday(3), second!, 'REVOKE', 'pending', 'revoked');
    await step(midday(2), first!, 'REVOKE', 'active', 'revoked');
    // A credential whose first steps retention already pruned: only its revocation is left.
    await step(midday(2), pruned!, 'REVOKE', 'active', 'revoked');
    await db.insert(auditEvents).values({ actor: 'owner', action: 'sign_in' });

    await migrateThrough('all');

    const edges = await db
      .select()
      .from(lifecycleEdgeTotals)
      .orderBy(asc(lifecycleEdgeTotals.through), asc(lifecycleEdgeTotals.event));
    const at = (day: Date) =>
      edges
        .filter((row) => row.through.getTime() === endOf(day))
        .map((row) => [row.event, row.fromState, row.toState, row.total]);
    expect(new Set(edges.map((row) => row.through.getTime()))).toEqual(
      new Set([endOf(midday(5)), endOf(midday(3)), endOf(midday(2))]),
    );
    expect(at(midday(5))).toEqual(expect.arrayContaining([['GENERATE', 'new', 'pending', 3]]));
    expect(at(midday(5)).filter((row) => row[3] !== 0)).toHaveLength(1);
    expect(at(midday(2))).toEqual(
      expect.arrayContaining([
        ['GENERATE', 'new', 'pending', 3],
        ['USE', 'pending', 'active', 1],
        ['REVOKE', 'pending', 'revoked', 1],
        ['REVOKE', 'active', 'revoked', 2],
      ]),
    );

    // Per state, each snapshot counts where every credential's last step so far left it,
    // the one whose history was pruned included.
    const statesAt = async (day: Date) => {
      const rows = await db
        .select({ state: lifecycleStateTotals.state, total: lifecycleStateTotals.total })
        .from(lifecycleStateTotals)
        .where(eq(lifecycleStateTotals.through, new Date(endOf(day))));
      return Object.fromEntries(
        rows.filter((row) => row.total !== 0).map((row) => [row.state, row.total]),
      );
    };
    expect(await statesAt(midday(5))).toEqual({ pending: 3 });
    expect(await statesAt(midday(3))).toEqual({ pending: 1, active: 1, revoked: 1 });
    expect(await statesAt(midday(2))).toEqual({ pending: 1, revoked: 3 });

    // From now on, the database tallies every lifecycle step as it is written.
    await step(new Date(dbNow), third!, 'USE', 'pending', 'active');
    await db.insert(auditEvents).values({ actor: 'owner', action: 'sign_in' });
    const tallied = await db.select().from(lifecycleTally);
    expect(tallied.map((row) => [row.event, row.toState, row.leftState])).toEqual([
      ['USE', 'active', 'pending'],
    ]);
  });
});
