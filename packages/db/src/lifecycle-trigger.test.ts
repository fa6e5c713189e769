import { readFileSync } from 'node:fs';
import { credentialLifecycleGraph, type LifecycleGraph } from '@sidekey/lifecycle';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestLifecycleTriggerMigration } from './lifecycle-trigger-migration.ts';
import { lifecycleTriggerSql } from './lifecycle-trigger.ts';
import { accounts, appPasswords } from './schema/index.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

describe('the lifecycle trigger migration', () => {
  it('is exactly what the generator makes of the current machine (regenerate if this fails)', () => {
    const committed = latestLifecycleTriggerMigration();
    expect(committed, 'no *_lifecycle_trigger.sql migration is committed').not.toBeNull();
    expect(readFileSync(committed!, 'utf8')).toBe(lifecycleTriggerSql(credentialLifecycleGraph()));
  });

  it('changes when the machine changes, so a stale migration is caught', () => {
    const graph = credentialLifecycleGraph();
    const extraEdge: LifecycleGraph = {
      ...graph,
      transitions: [
        ...graph.transitions,
        {
          ...graph.transitions[0]!,
          id: 'x',
          source: 'revoked',
          target: 'active',
          event: 'RESTORE',
        },
      ],
    };
    expect(lifecycleTriggerSql(extraEdge)).not.toBe(lifecycleTriggerSql(graph));
    expect(lifecycleTriggerSql(extraEdge)).toContain("('revoked', 'active')");
  });
});

// On the real engine (PGlite, or Postgres with DATABASE_URL): the database itself refuses
// state changes the machine does not have, and lets through every one it has.
let database: TestDatabase;
let accountId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  const [account] = await database.db
    .insert(accounts)
    .values({ email: 'trigger@example.org', passwordHash: 'not-a-real-hash' })
    .returning();
  accountId = account!.id;
});
afterAll(() => database?.dispose());

let counter = 0;
async function credentialIn(state: 'pending' | 'active' | 'revoked') {
  const [row] = await database.db
    .insert(appPasswords)
    .values({
      accountId,
      label: 'Phone',
      scopes: ['mail'],
      lookupHash: `h${++counter}`,
      keyId: 'k',
    })
    .returning();
  const at = new Date();
  if (state !== 'pending') {
    await database.db
      .update(appPasswords)
      .set({ state: 'active', firstUsedAt: at, lastUsedAt: at })
      .where(eq(appPasswords.id, row!.id));
  }
  if (state === 'revoked') await revoke(row!.id);
  return row!.id;
}

const revoke = (id: string) =>
  database.db
    .update(appPasswords)
    .set({ state: 'revoked', revokedAt: new Date(), revokeReason: 'user' })
    .where(eq(appPasswords.id, id));

async function refusal(statement: Promise<unknown>) {
  const error = await statement.then(
    () => undefined,
    (e: unknown) => e as { cause?: { code?: string; message?: string } },
  );
  expect(error, 'the database accepted a state change the machine does not allow').toBeDefined();
  const cause = error!.cause ?? (error as { code?: string; message?: string });
  return { code: cause.code, message: cause.message };
}

const stateOf = async (id: string) =>
  (await database.db.select().from(appPasswords).where(eq(appPasswords.id, id)))[0]!.state;

describe('the lifecycle trigger on a real database', () => {
  it('lets every edge of the machine through: pending → active → active → revoked, pending → revoked', async () => {
    const used = await credentialIn('active');
    const at = new Date();
    await database.db
      .update(appPasswords)
      .set({ state: 'active', lastUsedAt: at }) // what a last-use write sends
      .where(eq(appPasswords.id, used));
    await revoke(used);
    expect(await stateOf(used)).toBe('revoked');
    const unused = await credentialIn('pending');
    await revoke(unused);
    expect(await stateOf(unused)).toBe('revoked');
  });

  it('refuses leaving the final state, going back, and standing still where the machine has no loop', async () => {
    const revoked = await credentialIn('revoked');
    const active = await credentialIn('active');
    const pending = await credentialIn('pending');
    for (const [id, to] of [
      [revoked, 'active'],
      [revoked, 'pending'],
      [revoked, 'revoked'],
      [active, 'pending'],
      [pending, 'pending'],
    ] as const) {
      const refused = await refusal(
        database.db.update(appPasswords).set({ state: to }).where(eq(appPasswords.id, id)),
      );
      expect(refused.code).toBe('23514');
      expect(refused.message).toMatch(/not a transition of the credential lifecycle/);
    }
    expect([await stateOf(revoked), await stateOf(active), await stateOf(pending)]).toEqual([
      'revoked',
      'active',
      'pending',
    ]);
  });

  it('refuses raw SQL as much as Drizzle, and creating a credential anywhere but pending', async () => {
    const revoked = await credentialIn('revoked');
    const refused = await refusal(
      database.db.execute(sql`UPDATE app_passwords SET state = 'active' WHERE id = ${revoked}`),
    );
    expect(refused.code).toBe('23514');
    const created = await refusal(
      database.db.insert(appPasswords).values({
        accountId,
        label: 'Sneaky',
        scopes: ['mail'],
        lookupHash: 'sneaky',
        keyId: 'k',
        state: 'active',
        firstUsedAt: new Date(),
      }),
    );
    expect(created.message).toMatch(/cannot be created in state active/);
  });

  it('leaves writes that do not touch the state alone, even on a revoked credential', async () => {
    const revoked = await credentialIn('revoked');
    await database.db
      .update(appPasswords)
      .set({ label: 'Old phone' })
      .where(eq(appPasswords.id, revoked));
    const [row] = await database.db.select().from(appPasswords).where(eq(appPasswords.id, revoked));
    expect(row).toMatchObject({ label: 'Old phone', state: 'revoked' });
  });
});
