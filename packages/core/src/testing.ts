import { createTestDatabase, type TestDatabase } from '@sidekey/db/testing';
import { createMemoryLogger } from './logger.ts';
import { serverKeys } from './secrets/server-keys.ts';
import { createSidekey, type Sidekey } from './sidekey.ts';

export { onPostgresServer } from '@sidekey/db/testing';

export interface TestSidekey {
  sidekey: Sidekey;
  database: TestDatabase;
  /** Every log line written, to assert that no secret ever reaches the log. */
  logLines: string[];
  /** Moves the injected clock; tests of time rules never sleep. */
  clock: { now: Date; advance(ms: number): void };
  dispose(): Promise<void>;
}

export const TEST_SECRET = 'test-secret-that-is-long-enough-0123456789';

/** Sidekey on a fresh database (PGlite, or Postgres when DATABASE_URL is set). */
export async function createTestSidekey(): Promise<TestSidekey> {
  const database = await createTestDatabase();
  const { logger, lines } = createMemoryLogger();
  const clock = {
    now: new Date(),
    advance(ms: number) {
      clock.now = new Date(clock.now.getTime() + ms);
    },
  };
  const sidekey = createSidekey({
    database,
    keys: serverKeys(TEST_SECRET),
    logger,
    now: () => clock.now,
  });
  return { sidekey, database, logLines: lines, clock, dispose: () => database.dispose() };
}

let counter = 0;
/** A signed-up owner with a fresh session; the password is returned for re-authentication. */
export async function signUpOwner(
  sidekey: Sidekey,
  email = `owner${++counter}-${Date.now()}@example.org`,
) {
  const password = `correct horse battery ${counter}`;
  const signedUp = await sidekey.accounts.signUp(
    { email, password },
    { actor: 'owner', address: '127.0.0.1' },
  );
  const validated = await sidekey.sessions.validate(signedUp.sessionToken);
  return { email, password, ...signedUp, session: validated!.session };
}
