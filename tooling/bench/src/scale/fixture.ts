import { hash as argon2Hash } from '@node-rs/argon2';
import { createMemoryLogger, createSidekey, serverKeys, type Sidekey } from '@sidekey/core';
import { seedCredentials, signUpOwner, type SeededCredential } from '@sidekey/core/testing';
import { sql } from 'drizzle-orm';
import { createBenchDatabase, type BenchDatabase } from '../bench-database.ts';
import { foldHistory, seedBulk, seedHistory, spreadSeeded } from './bulk-seed.ts';

export const SECRET = 'bench-server-secret-that-is-long-enough-0123';
/** Every account holds this many app passwords, at both sizes: only their number changes. */
export const PER_ACCOUNT = 10;
/** The credentials the benchmark verifies, with real lookup hashes: all of the small database. */
export const PROBES = 1_000;
/** Seeded rows are dated over this many days, a little more than the longest review. */
const SPREAD_DAYS = 380;

export interface Fixture {
  label: string;
  credentials: number;
  database: BenchDatabase;
  sidekey: Sidekey;
  /** Credentials that verify, spread over PROBES / PER_ACCOUNT accounts. */
  probes: SeededCredential[];
  /** An owner without two-factor, so one call signs in. */
  owner: { email: string; password: string };
  /** An account with PER_ACCOUNT app passwords, for the owner's list. */
  listAccountId: string;
  serviceKey: string;
  seedSeconds: number;
}

/**
 * A fresh Postgres database holding `credentials` app passwords, PER_ACCOUNT per account,
 * with their audit trail and a session per account. The first PROBES are real (seeded
 * through core's seeder, their passwords kept); the rest are bulk rows around them.
 */
export async function createFixture(
  label: string,
  credentials: number,
  options: { keep: boolean },
): Promise<Fixture> {
  const started = performance.now();
  const database = await createBenchDatabase(`scale_${label}`, options);
  try {
    const db = await database.open({ migrate: true });
    const keys = serverKeys(SECRET);
    const sidekey = createSidekey({ database: db, keys, logger: createMemoryLogger().logger });
    const probes = await seedCredentials(db, keys, {
      accounts: PROBES / PER_ACCOUNT,
      perAccount: PER_ACCOUNT,
      lastUsedAt: new Date(Date.now() - 10 * 60_000),
      address: '127.0.0.1',
      keep: PROBES,
      tag: label,
    });
    await spreadSeeded(db, SPREAD_DAYS);
    const bulkAccounts = Math.max(0, Math.round((credentials - PROBES) / PER_ACCOUNT));
    await seedBulk(db, {
      accounts: bulkAccounts,
      perAccount: PER_ACCOUNT,
      passwordHashes: await precomputedHashes(4),
      keyId: keys.current.id,
      spreadDays: SPREAD_DAYS,
    });
    await seedHistory(db);
    await foldHistory(db, SPREAD_DAYS);
    const owner = await signUpOwner(sidekey, `scale-owner-${label}@example.org`, {
      twoFactor: false,
    });
    const [listed] = (await db.db.execute(
      sql`SELECT id FROM accounts WHERE email = ${probes[0]!.email}`,
    )) as unknown as { id: string }[];
    const { key } = await sidekey.serviceKeys.create(`bench-${label}`, { actor: 'operator' });
    // The fold emptied a year's tally at once, which housekeeping never does (it folds an
    // hour's steps, and autovacuum reuses their space): give the table back its real size.
    await db.db.execute(sql`VACUUM FULL lifecycle_tally`);
    await db.db.execute(sql`VACUUM ANALYZE`);
    return {
      label,
      credentials,
      database,
      sidekey,
      probes,
      owner: { email: owner.email, password: owner.password },
      listAccountId: listed!.id,
      serviceKey: key,
      seedSeconds: (performance.now() - started) / 1000,
    };
  } catch (error) {
    await database.dispose();
    throw error;
  }
}

/** A few real argon2id hashes at Sidekey's parameters, so bulk accounts look like real ones. */
async function precomputedHashes(count: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      argon2Hash(`bulk account password ${i}`, { memoryCost: 19_456, timeCost: 2, parallelism: 1 }),
    ),
  );
}

export async function disposeFixture(fixture: Fixture): Promise<void> {
  await fixture.sidekey.close();
  await fixture.database.dispose();
}
