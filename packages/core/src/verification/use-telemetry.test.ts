import { appPasswords, type Database } from '@sidekey/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../logger.ts';
import { serverKeys } from '../secrets/server-keys.ts';
import { createSidekey } from '../sidekey.ts';
import { createTestSidekey, signUpOwner, TEST_SECRET, type TestSidekey } from '../testing.ts';
import type { Protocol } from './protocols.ts';

/**
 * A routine use is telemetry: buffered per node and written in one statement per flush,
 * never audited. What an owner wants to read is audited at once: the first use, and the
 * first use from a new network or for a new service.
 */
let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey({ verification: { cacheMs: 0 } });
  // Counts UPDATE statements on app_passwords (a statement trigger fires once per statement).
  await t.database.db.execute(sql`CREATE TABLE update_statements (n integer NOT NULL)`);
  await t.database.db.execute(sql`INSERT INTO update_statements VALUES (0)`);
  await t.database.db.execute(sql`
    CREATE FUNCTION count_update_statement() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN UPDATE update_statements SET n = n + 1; RETURN NULL; END $$`);
  await t.database.db.execute(sql`
    CREATE TRIGGER app_passwords_update_statements AFTER UPDATE ON app_passwords
    FOR EACH STATEMENT EXECUTE FUNCTION count_update_statement()`);
});
afterAll(() => t.dispose());

const MINUTE = 60_000;
const asOwner = { actor: 'owner' as const };
const home: { service: Protocol; address: string; userAgent: string } = {
  service: 'imap',
  address: '198.51.100.7',
  userAgent: 'Mail',
};

async function updateStatements(): Promise<number> {
  const result = await t.database.db.execute<{ n: number }>(sql`SELECT n FROM update_statements`);
  const rows = (Array.isArray(result) ? result : (result as { rows: { n: number }[] }).rows) as {
    n: number;
  }[];
  return Number(rows[0]!.n);
}

async function devices(count: number) {
  const account = await signUpOwner(t.sidekey);
  const passwords = [];
  for (let i = 0; i < count; i++) {
    passwords.push(
      await t.sidekey.appPasswords.generate(account.accountId, { label: `Device ${i}` }, asOwner),
    );
  }
  const login = (password: string, where: Partial<typeof home> = {}) =>
    t.sidekey.verify({ username: account.email, password, ...home, ...where });
  return { ...account, passwords, login };
}

async function rowOf(id: string) {
  const [row] = await t.database.db.select().from(appPasswords).where(eq(appPasswords.id, id));
  return row!;
}

async function useEvents(accountId: string, id: string) {
  return (await t.sidekey.appPasswords.history(accountId, id)).filter((e) => e.action === 'USE');
}

describe('use telemetry', () => {
  it('many verifications of used credentials cost one UPDATE per flush and no audit rows', async () => {
    const owner = await devices(5);
    for (const { password } of owner.passwords)
      expect(await owner.login(password)).toMatchObject({ ok: true });
    await t.sidekey.uses?.flush();
    const before = await updateStatements();

    // Each device reconnects every two minutes for twenty minutes: 50 stale verifications.
    for (let round = 0; round < 10; round++) {
      t.clock.advance(2 * MINUTE);
      for (const { password } of owner.passwords) {
        expect(await owner.login(password)).toMatchObject({ ok: true });
      }
    }
    await t.sidekey.uses?.flush();

    expect(await updateStatements()).toBe(before + 1);
    for (const { id } of owner.passwords) {
      const uses = await useEvents(owner.accountId, id);
      expect(uses.map((e) => `${e.fromState}→${e.toState}`)).toEqual(['pending→active']);
    }
  });

  it('last-used time, service and address are exact after a flush', async () => {
    const owner = await devices(1);
    const [device] = owner.passwords;
    await owner.login(device!.password);
    t.clock.advance(3 * MINUTE);
    await owner.login(device!.password, { address: '198.51.100.200', service: 'imap' });
    expect((await rowOf(device!.id)).lastUsedAt).not.toEqual(t.clock.now); // not yet written
    await t.sidekey.uses?.flush();
    const [listed] = await t.sidekey.appPasswords.list(owner.accountId);
    expect(listed).toMatchObject({
      lastUsedAt: t.clock.now,
      lastUsedService: 'imap',
      lastUsedAddress: '198.51.100.200',
    });
  });

  it('audits the first use from a new network and for a new service, once each', async () => {
    const owner = await devices(1);
    const [device] = owner.passwords;
    await owner.login(device!.password);
    t.clock.advance(MINUTE);
    await owner.login(device!.password, { address: '203.0.113.5' });
    t.clock.advance(MINUTE);
    await owner.login(device!.password, { address: '203.0.113.99' }); // same /24: routine
    t.clock.advance(MINUTE);
    await owner.login(device!.password, { service: 'smtp' });
    t.clock.advance(MINUTE);
    await owner.login(device!.password, { service: 'smtp' });
    const uses = await useEvents(owner.accountId, device!.id);
    const steps = uses.map((e) => [e.fromState, e.toState, e.service, e.address]);
    expect(steps.sort()).toEqual(
      [
        ['pending', 'active', 'imap', '198.51.100.7'],
        ['active', 'active', 'imap', '203.0.113.5'],
        ['active', 'active', 'smtp', '198.51.100.7'],
      ].sort(),
    );
  });

  it('a revocation between a use and its flush is never undone', async () => {
    const owner = await devices(1);
    const [device] = owner.passwords;
    await owner.login(device!.password);
    const firstUse = t.clock.now;
    t.clock.advance(2 * MINUTE);
    await owner.login(device!.password); // buffered
    await t.sidekey.appPasswords.revoke(owner.accountId, device!.id, asOwner);
    await t.sidekey.uses?.flush();
    const row = await rowOf(device!.id);
    expect(row.state).toBe('revoked');
    expect(row.lastUsedAt).toEqual(firstUse);
    expect(await owner.login(device!.password)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('two nodes flushing the same credential keep the later use, whichever flushes last', async () => {
    const owner = await devices(1);
    const [device] = owner.passwords;
    await owner.login(device!.password);
    const node = otherNode(t.database);
    t.clock.advance(2 * MINUTE);
    const earlier = t.clock.now;
    expect(
      await node.verify({ username: owner.email, password: device!.password, ...home }),
    ).toMatchObject({ ok: true });
    t.clock.advance(MINUTE);
    await owner.login(device!.password, { address: '198.51.100.8' });
    await t.sidekey.uses?.flush(); // the later use first
    await node.uses?.flush(); // then the earlier one: it must not move last-used back
    const row = await rowOf(device!.id);
    expect(row.lastUsedAt).toEqual(t.clock.now);
    expect(row.lastUsedAt).not.toEqual(earlier);
    expect(row.lastUsedAddress).toBe('198.51.100.8');
  });

  it('close() writes what is still buffered', async () => {
    const owner = await devices(1);
    const [device] = owner.passwords;
    await owner.login(device!.password);
    const node = otherNode(t.database);
    t.clock.advance(4 * MINUTE);
    await node.verify({ username: owner.email, password: device!.password, ...home });
    expect((await rowOf(device!.id)).lastUsedAt).not.toEqual(t.clock.now);
    await node.close();
    expect((await rowOf(device!.id)).lastUsedAt).toEqual(t.clock.now);
  });
});

/** A second Sidekey node on the same database and clock; closing it leaves the database open. */
function otherNode(database: Database) {
  return createSidekey({
    database: { ...database, close: async () => {} },
    keys: serverKeys(TEST_SECRET),
    logger: createMemoryLogger().logger,
    now: () => t.clock.now,
    verification: { cacheMs: 0 },
  });
}
