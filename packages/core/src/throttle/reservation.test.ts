import { auditEvents, passwordResetTokens, throttles } from '@sidekey/db';
import { and, eq, isNull, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordChangeService } from '../accounts/password-changes.ts';
import { securityNotices } from '../mail/notices.ts';
import { createTestSidekey, signUpOwner, type TestSidekey } from '../testing.ts';

/**
 * Attempts are reserved before the expensive check: however many arrive at once, only
 * as many are checked as the throttle lets through one after another.
 */
let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey({ origin: 'https://sidekey.example.org' });
});
afterAll(() => t.dispose());

const meta = (address = '198.51.100.7') => ({ actor: 'anonymous' as const, address });

/** Each outcome by its `reason` (or `ok`), to count what was checked and what was refused. */
async function outcomes(calls: Array<Promise<unknown>>) {
  const settled = await Promise.allSettled(calls);
  const tally: Record<string, number> = {};
  for (const result of settled) {
    const word =
      result.status === 'fulfilled'
        ? 'ok'
        : ((result.reason as { reason?: string }).reason ??
          `unexpected: ${(result.reason as Error).message}`);
    tally[word] = (tally[word] ?? 0) + 1;
  }
  return tally;
}

describe('attempt reservation', () => {
  it('checks at most the free failures of 30 concurrent wrong passwords; the rest are refused unchecked', async () => {
    const o = await signUpOwner(t.sidekey, undefined, { twoFactor: false });
    const tally = await outcomes(
      Array.from({ length: 30 }, (_, i) =>
        t.sidekey.accounts.signIn({ email: o.email, password: `wrong guess ${i}` }, meta()),
      ),
    );
    // Four free failures, then the fifth earns a delay: five checked, 25 refused at once.
    expect(tally).toEqual({ wrong_credentials: 5, throttled: 25 });
    const rows = await t.database.db
      .select()
      .from(throttles)
      .where(like(throttles.key, 'sign-in:account:%'));
    expect(rows.some((row) => row.failures === 5)).toBe(true);
  });

  it('checks at most five of a burst of two-factor codes, so a right code among wrong ones is not tried', async () => {
    const o = await signUpOwner(t.sidekey);
    const calls = [
      ...Array.from({ length: 9 }, (_, i) =>
        t.sidekey.accounts.signIn(
          { email: o.email, password: o.password, code: String(100000 + i) },
          meta('198.51.100.8'),
        ),
      ),
    ];
    const tally = await outcomes(calls);
    expect(tally).toEqual({ invalid_code: 5, throttled: 4 });
    // Blocked now: even the right code is refused until the delay runs out.
    await expect(
      t.sidekey.accounts.signIn(
        { email: o.email, password: o.password, code: o.totpCode() },
        meta('198.51.100.8'),
      ),
    ).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'throttled' });
  });

  it('throttles confirming a new authenticator', async () => {
    const o = await signUpOwner(t.sidekey, undefined, { twoFactor: false });
    await t.sidekey.twoFactor.beginEnrollment(o.accountId, meta());
    const tally = await outcomes(
      Array.from({ length: 12 }, (_, i) =>
        t.sidekey.twoFactor.confirmEnrollment(o.accountId, { code: String(200000 + i) }, meta()),
      ),
    );
    expect(tally).toEqual({ invalid_code: 5, throttled: 7 });
  });

  it('counts wrong current passwords of a password change against sign-in', async () => {
    const o = await signUpOwner(t.sidekey, undefined, { twoFactor: false });
    const tally = await outcomes(
      Array.from({ length: 10 }, (_, i) =>
        t.sidekey.passwords.changePassword(
          o.accountId,
          o.session.id,
          { currentPassword: `not it ${i}`, newPassword: 'a brand new passphrase here' },
          meta(),
        ),
      ),
    );
    expect(tally).toEqual({ wrong_credentials: 5, throttled: 5 });
    await expect(
      t.sidekey.accounts.signIn({ email: o.email, password: o.password }, meta('198.51.100.9')),
    ).rejects.toMatchObject({ reason: 'throttled' });
  });

  it('counts every failure and answers no 5xx when successes and failures race', async () => {
    const o = await signUpOwner(t.sidekey, undefined, { twoFactor: false });
    for (let round = 0; round < 3; round++) {
      const tally = await outcomes(
        Array.from({ length: 12 }, (_, i) =>
          t.sidekey.accounts.signIn(
            { email: o.email, password: i % 3 === 0 ? o.password : `wrong ${round}-${i}` },
            meta(`198.51.100.${20 + round}`),
          ),
        ),
      );
      expect(Object.keys(tally).filter((word) => word.startsWith('unexpected'))).toEqual([]);
      // Per address a success gives nothing back: every checked wrong password is on it.
      const [address] = await t.database.db
        .select()
        .from(throttles)
        .where(eq(throttles.key, `sign-in:address:198.51.100.${20 + round}`));
      expect(address?.failures).toBe(tally.wrong_credentials ?? 0);
      await t.database.db.delete(throttles).where(like(throttles.key, 'sign-in:account:%'));
    }
  });

  it('keeps no audit row per failed sign-in for an unknown email, only an hourly count', async () => {
    const before = await t.database.db.$count(
      auditEvents,
      and(eq(auditEvents.action, 'sign_in_failed'), isNull(auditEvents.accountId)),
    );
    for (let i = 0; i < 6; i++) {
      await expect(
        t.sidekey.accounts.signIn(
          { email: `nobody${i}@example.org`, password: 'whatever it is' },
          meta(`192.0.2.${i}`),
        ),
      ).rejects.toMatchObject({ reason: 'wrong_credentials' });
    }
    const after = await t.database.db.$count(
      auditEvents,
      and(eq(auditEvents.action, 'sign_in_failed'), isNull(auditEvents.accountId)),
    );
    expect(after - before).toBe(0);
    const [counter] = await t.database.db
      .select()
      .from(throttles)
      .where(like(throttles.key, 'count:sign-in-unknown-account:%'));
    expect(counter?.failures).toBeGreaterThanOrEqual(6);
  });
});

describe('password reset requests', () => {
  it('answer before any work that depends on the email, the same for known and unknown', async () => {
    const o = await signUpOwner(t.sidekey, undefined, { twoFactor: false });
    const deferred: Array<() => Promise<void>> = [];
    const passwords = passwordChangeService(t.sidekey.deps, {
      sessions: t.sidekey.sessions,
      throttles: t.sidekey.signInThrottles,
      mailer: t.sidekey.mailer,
      notices: securityNotices(t.sidekey.mailer),
      defer: (work) => void deferred.push(work),
    });
    const tokens = () =>
      t.database.db.$count(passwordResetTokens, eq(passwordResetTokens.accountId, o.accountId));
    for (const email of [o.email, 'no-account-here@example.org']) {
      await expect(passwords.requestPasswordReset({ email }, meta('192.0.2.50'))).resolves.toEqual({
        sent: true,
      });
    }
    // Both answered with the email's work still waiting: nothing was looked up yet.
    expect(deferred).toHaveLength(2);
    expect(await tokens()).toBe(0);
    for (const work of deferred) await work();
    expect(await tokens()).toBe(1);
  });

  it('are counted per address whatever the email', async () => {
    const tally = await outcomes(
      Array.from({ length: 25 }, (_, i) =>
        t.sidekey.passwords.requestPasswordReset(
          { email: `someone${i}@example.org` },
          meta('192.0.2.77'),
        ),
      ),
    );
    expect(tally).toEqual({ ok: 21, throttled: 4 });
  });
});
