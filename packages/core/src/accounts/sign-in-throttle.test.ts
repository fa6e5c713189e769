import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSidekey, signUpOwner, type TestSidekey } from '../testing.ts';
import { ACCOUNT_SIGN_IN_POLICY } from './sign-in-throttle.ts';

let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey({ origin: 'https://sidekey.example.org' });
});
afterAll(() => t.dispose());

let n = 0;
/** Each attempt from a new address, so only the per-account throttle is in play. */
const fromSomewhere = () => ({
  actor: 'anonymous' as const,
  address: `10.0.${n >> 8}.${++n % 256}`,
});

async function failureOf(promise: Promise<unknown>) {
  const error = (await promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  )) as { code: string; message: string; reason?: string; retryAfterSeconds?: number };
  return error;
}

describe('sign-in throttling', () => {
  it('delays after a few failures without checking the password, the same for an unknown email', async () => {
    const o = await signUpOwner(t.sidekey, undefined, { twoFactor: false });
    for (const email of [o.email, 'nobody-here@example.org']) {
      for (let i = 0; i < ACCOUNT_SIGN_IN_POLICY.freeFailures + 1; i++) {
        await expect(
          t.sidekey.accounts.signIn({ email, password: `wrong guess ${i}` }, fromSomewhere()),
        ).rejects.toMatchObject({ reason: 'wrong_credentials' });
      }
      // Even the right password is not checked while the delay runs.
      const refused = await failureOf(
        t.sidekey.accounts.signIn({ email, password: o.password }, fromSomewhere()),
      );
      expect(refused).toMatchObject({
        code: 'TOO_MANY_REQUESTS',
        reason: 'throttled',
        retryAfterSeconds: 1,
      });
    }
    t.clock.advance(1_000);
    expect(
      await t.sidekey.accounts.signIn({ email: o.email, password: o.password }, fromSomewhere()),
    ).toMatchObject({ status: 'signed_in' });
    // The success reset the count: a typo right after is free again.
    await expect(
      t.sidekey.accounts.signIn({ email: o.email, password: 'one typo' }, fromSomewhere()),
    ).rejects.toMatchObject({ reason: 'wrong_credentials' });
    await expect(
      t.sidekey.accounts.signIn({ email: o.email, password: o.password }, fromSomewhere()),
    ).resolves.toMatchObject({ status: 'signed_in' });
  });

  it('throttles one address guessing across many accounts', async () => {
    const address = { actor: 'anonymous' as const, address: '192.0.2.200' };
    for (let i = 0; i < 21; i++) {
      await expect(
        t.sidekey.accounts.signIn(
          { email: `victim${i}@example.org`, password: 'Summer2024!' },
          address,
        ),
      ).rejects.toMatchObject({ reason: 'wrong_credentials' });
    }
    await expect(
      t.sidekey.accounts.signIn(
        { email: 'victim99@example.org', password: 'Summer2024!' },
        address,
      ),
    ).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'throttled' });
  });

  it(`locks password sign-in after ${ACCOUNT_SIGN_IN_POLICY.lockAfter} consecutive failures, mails the owner, and a reset lifts it`, async () => {
    const o = await signUpOwner(t.sidekey);
    for (let i = 0; i < ACCOUNT_SIGN_IN_POLICY.lockAfter!; i++) {
      await expect(
        t.sidekey.accounts.signIn(
          { email: o.email, password: `guess number ${i}` },
          fromSomewhere(),
        ),
      ).rejects.toMatchObject({ reason: 'wrong_credentials' });
      t.clock.advance(ACCOUNT_SIGN_IN_POLICY.maxDelayMs);
    }
    const locked = await failureOf(
      t.sidekey.accounts.signIn(
        { email: o.email, password: o.password, code: o.totpCode() },
        fromSomewhere(),
      ),
    );
    expect(locked).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'locked' });
    expect(locked.retryAfterSeconds).toBeGreaterThanOrEqual(45 * 60);
    expect(locked.message).toMatch(/locked/);

    await t.sidekey.mailer.settled();
    const notices = (await t.sidekey.mailer.list({ limit: 100 })).filter(
      (m) => m.recipient === o.email && /locked/.test(m.subject),
    );
    expect(notices).toHaveLength(1);
    expect((await t.sidekey.activity(o.accountId)).map((e) => e.action)).toContain(
      'account_locked',
    );

    // App passwords keep working during the lock: the throttle guards the web sign-in only.
    await t.sidekey.passwords.requestPasswordReset({ email: o.email }, fromSomewhere());
    await t.sidekey.mailer.settled();
    const [resetMail] = await t.sidekey.mailer.list({ limit: 1 });
    const token = resetMail!.body.match(/#token=([A-Za-z0-9_-]+)/)![1]!;
    await t.sidekey.passwords.resetPassword(
      { token, newPassword: 'a new start for sure' },
      fromSomewhere(),
    );
    await expect(
      t.sidekey.accounts.signIn(
        { email: o.email, password: 'a new start for sure', code: o.totpCode() },
        fromSomewhere(),
      ),
    ).resolves.toMatchObject({ status: 'signed_in' });
  });
});
