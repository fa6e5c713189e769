import { createTestDatabase, type TestDatabase } from '@sidekey/db/testing';
import { createMemoryLogger } from './logger.ts';
import { serverKeys } from './secrets/server-keys.ts';
import { createSidekey, type Sidekey, type SidekeyOptions } from './sidekey.ts';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { totpCodeAt, totpStep } from './two-factor/totp.ts';

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
export async function createTestSidekey(
  options: Partial<Omit<SidekeyOptions, 'database' | 'keys' | 'logger' | 'now'>> = {},
): Promise<TestSidekey> {
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
    ...options,
  });
  async function dispose() {
    await sidekey.uses.close();
    await sidekey.mailer.settled();
    sidekey.mailer.close();
    await database.dispose();
  }
  return { sidekey, database, logLines: lines, clock, dispose };
}

let counter = 0;
/**
 * A signed-up owner with a fresh session and two-factor on (no app password can be
 * generated without it), as tests that generate need. `totpCode()` gives a valid code for
 * the Sidekey's clock each call — a step not handed out before, since each step is
 * accepted once — and `recoveryCodes` holds the ten from enrolment. Pass
 * `{ twoFactor: false }` for an owner without it.
 */
export async function signUpOwner(
  sidekey: Sidekey,
  email = `owner${++counter}-${Date.now()}@example.org`,
  options: { twoFactor?: boolean } = {},
) {
  const password = `correct horse battery ${counter}`;
  const meta = { actor: 'owner' as const, address: '127.0.0.1' };
  const signedUp = await sidekey.accounts.signUp({ email, password }, meta);
  const codes =
    options.twoFactor === false ? null : await enableTwoFactor(sidekey, signedUp.accountId);
  const validated = await sidekey.sessions.validate(signedUp.sessionToken);
  return {
    email,
    password,
    ...signedUp,
    session: validated!.session,
    totpSecret: codes?.secret ?? null,
    recoveryCodes: codes?.recoveryCodes ?? [],
    totpCode: () => {
      if (!codes) throw new Error('This owner was made without two-factor.');
      return codes.next();
    },
  };
}

/**
 * Turns two-factor on for an account the way an owner would (begin, then confirm with the
 * current code) and returns its secret, recovery codes and a source of fresh codes.
 */
export async function enableTwoFactor(sidekey: Sidekey, accountId: string) {
  const meta = { actor: 'owner' as const, address: '127.0.0.1' };
  const { secret } = await sidekey.twoFactor.beginEnrollment(accountId, meta);
  const codes = totpCodeSource(secret, sidekey.deps.now);
  const { recoveryCodes } = await sidekey.twoFactor.confirmEnrollment(
    accountId,
    { code: codes.next() },
    meta,
  );
  return { secret, recoveryCodes, next: codes.next };
}

/**
 * Valid TOTP codes for a base32 secret on an injected clock, never repeating a step (each
 * is accepted once): within the ±1 step window it moves to the next unused step, and asks
 * for the clock to be moved on when none is left.
 */
export function totpCodeSource(base32Secret: string, now: () => Date) {
  const key = decodeBase32IgnorePadding(base32Secret);
  let lastStep = -Infinity;
  return {
    next(): string {
      const current = totpStep(now());
      const step = Math.max(current - 1, lastStep + 1);
      if (step > current + 1) {
        throw new Error('No unused TOTP step left in the ±1 window: advance the clock 30 s.');
      }
      lastStep = step;
      return totpCodeAt(key, step);
    },
    /** The code of the current step, whether or not it was handed out (to test replays). */
    current: (): string => totpCodeAt(key, totpStep(now())),
  };
}

export { seedCredentials, type SeedOptions, type SeededCredential } from './verification/seed.ts';
