import { accounts, throttles } from '@sidekey/db';
import { hash } from '@node-rs/argon2';
import { eq, like } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARGON2_OPTIONS, hashingStats } from '../accounts/password-hashing.ts';
import { ACCOUNT_SIGN_IN_POLICY } from '../accounts/sign-in-throttle.ts';
import { SidekeyError } from '../errors.ts';
import { createTestSidekey, onPostgresServer, signUpOwner, type TestSidekey } from '../testing.ts';

/**
 * Random interleavings of right and wrong passwords against one account from one
 * address: however they are grouped into concurrent bursts, no more wrong passwords are
 * checked than the throttle lets through between two successes, every answer is one a
 * client may get (never a 5xx), and no failure is lost.
 */
let t: TestSidekey;
let owner: { email: string; accountId: string };
const PASSWORD = 'the right passphrase, for sure';
beforeAll(async () => {
  t = await createTestSidekey();
  const o = await signUpOwner(t.sidekey, undefined, { twoFactor: false });
  owner = { email: o.email, accountId: o.accountId };
  // A cheap hash of the same kind: checks are counted here, not timed, so each may be fast.
  const cheap = await hash(PASSWORD, { ...ARGON2_OPTIONS, memoryCost: 1024, timeCost: 1 });
  await t.database.db
    .update(accounts)
    .set({ passwordHash: cheap })
    .where(eq(accounts.id, o.accountId));
});
afterAll(() => t.dispose());

const BUDGET = ACCOUNT_SIGN_IN_POLICY.freeFailures + 1;
const ADDRESS = '198.51.100.200';

/** A run: bursts fired one after another, the attempts of each burst all at once. */
const bursts = fc.array(fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), {
  minLength: 1,
  maxLength: 3,
});

describe('attempt reservation under random interleavings', () => {
  it('checks at most the budget of wrong passwords between successes, never a 5xx, never a lost count', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(bursts, async (plan) => {
        run++;
        await t.database.db.delete(throttles).where(like(throttles.key, 'sign-in:%'));
        const checksBefore = hashingStats.verifications;
        let wrongChecked = 0;
        let successes = 0;
        let refused = 0;
        let sent = 0;
        for (const burst of plan) {
          const results = await Promise.allSettled(
            burst.map((right, i) => {
              sent++;
              return t.sidekey.accounts.signIn(
                { email: owner.email, password: right ? PASSWORD : `wrong ${run}-${sent}-${i}` },
                { actor: 'anonymous', address: ADDRESS },
              );
            }),
          );
          for (const result of results) {
            if (result.status === 'fulfilled') {
              expect(result.value.status).toBe('signed_in');
              successes++;
              continue;
            }
            const error = result.reason as unknown;
            expect(error).toBeInstanceOf(SidekeyError);
            const { code, reason, retryAfterSeconds } = error as SidekeyError;
            if (code === 'TOO_MANY_REQUESTS') {
              expect(reason).toBe('throttled');
              expect(retryAfterSeconds).toBeGreaterThan(0);
              refused++;
            } else {
              expect(reason).toBe('wrong_credentials');
              wrongChecked++;
            }
          }
        }
        // Each attempt not refused was checked exactly once; refused ones not at all.
        expect(hashingStats.verifications - checksBefore).toBe(sent - refused);
        expect(wrongChecked).toBeLessThanOrEqual(BUDGET * (successes + 1));
        const rows = await t.database.db
          .select()
          .from(throttles)
          .where(like(throttles.key, 'sign-in:%'));
        const address = rows.find((row) => row.key === `sign-in:address:${ADDRESS}`);
        const account = rows.find((row) => row.key.startsWith('sign-in:account:'));
        // A success gives the address nothing back: every checked wrong password is there.
        expect(address?.failures ?? 0).toBe(wrongChecked);
        if (successes === 0) expect(account?.failures ?? 0).toBe(wrongChecked);
        else expect(account?.failures ?? 0).toBeLessThanOrEqual(wrongChecked);
      }),
      // Postgres runs the attempts of a burst on separate connections, where races are real.
      { numRuns: onPostgresServer ? 200 : 25 },
    );
  }, 300_000);
});
