import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, appPasswords, auditEvents } from './schema/index.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

// The database itself refuses what the code must never do, whichever engine runs.
let database: TestDatabase;
let accountId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const [account] = await database.db
    .insert(accounts)
    .values({ email: 'owner@example.org', passwordHash: 'not-a-real-hash' })
    .returning();
  accountId = account!.id;
});
afterAll(() => database.dispose());

const credential = (overrides: Partial<typeof appPasswords.$inferInsert> = {}) => ({
  accountId,
  label: 'Thunderbird',
  scopes: ['mail' as const],
  lookupHash: `hash-${Math.random()}`,
  keyId: 'k1',
  ...overrides,
});

/** The SQLSTATE of the error a statement fails with (drizzle wraps the driver's error). */
async function failureCode(statement: Promise<unknown>): Promise<string | undefined> {
  const error = await statement.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the database accepted what it must refuse').toBeDefined();
  const cause = (error as { cause?: { code?: string } }).cause ?? (error as { code?: string });
  return cause.code;
}

describe('app_passwords constraints', () => {
  it('accepts a well-formed credential in the pending state', async () => {
    const [row] = await database.db.insert(appPasswords).values(credential()).returning();
    expect(row!.state).toBe('pending');
  });

  it('refuses a state the lifecycle does not have', async () => {
    const code = await failureCode(
      database.db
        .execute(sql`INSERT INTO app_passwords (account_id, label, scopes, lookup_hash, key_id, state)
        VALUES (${accountId}, 'x', ARRAY['mail'], 'h-bad-state', 'k1', 'suspended')`),
    );
    expect(code).toBe('22P02'); // invalid input value for enum
  });

  it('refuses a duplicate lookup hash', async () => {
    await database.db.insert(appPasswords).values(credential({ lookupHash: 'same' }));
    expect(
      await failureCode(
        database.db.insert(appPasswords).values(credential({ lookupHash: 'same' })),
      ),
    ).toBe('23505');
  });

  it('refuses an empty or blank label', async () => {
    expect(
      await failureCode(database.db.insert(appPasswords).values(credential({ label: '' }))),
    ).toBe('23514');
    expect(
      await failureCode(database.db.insert(appPasswords).values(credential({ label: '   ' }))),
    ).toBe('23514');
  });

  it('refuses an unknown scope and an empty scope list', async () => {
    expect(
      await failureCode(
        database.db.insert(appPasswords).values(credential({ scopes: ['root' as 'mail'] })),
      ),
    ).toBe('23514');
    expect(
      await failureCode(database.db.insert(appPasswords).values(credential({ scopes: [] }))),
    ).toBe('23514');
  });

  it('refuses a revoked row without its reason and time', async () => {
    const [row] = await database.db.insert(appPasswords).values(credential()).returning();
    expect(
      await failureCode(
        database.db
          .update(appPasswords)
          .set({ state: 'revoked' })
          .where(eq(appPasswords.id, row!.id)),
      ),
    ).toBe('23514');
  });
});

describe('accounts constraints', () => {
  it('refuses an email that was not normalised', async () => {
    expect(
      await failureCode(
        database.db.insert(accounts).values({ email: 'Mixed@Example.org', passwordHash: 'x' }),
      ),
    ).toBe('23514');
  });
});

describe('audit_events', () => {
  it('is append-only: updates and deletes are refused', async () => {
    const [event] = await database.db
      .insert(auditEvents)
      .values({ accountId, actor: 'system', action: 'test' })
      .returning();
    expect(
      await failureCode(
        database.db
          .update(auditEvents)
          .set({ action: 'rewritten' })
          .where(eq(auditEvents.id, event!.id)),
      ),
    ).toBe('42501');
    expect(
      await failureCode(database.db.delete(auditEvents).where(eq(auditEvents.id, event!.id))),
    ).toBe('42501');
    const [still] = await database.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.id, event!.id));
    expect(still!.action).toBe('test');
  });
});
