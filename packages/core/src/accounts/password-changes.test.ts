import {
  accounts,
  appPasswords,
  auditEvents,
  outbox,
  passwordResetTokens,
  sessions,
} from '@sidekey/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSidekey, signUpOwner, type TestSidekey } from '../testing.ts';
import { DEFAULT_RESET_TTL_MS, RESET_REQUEST_INTERVAL_MS } from './password-changes.ts';

let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey({ origin: 'https://sidekey.example.org' });
});
afterAll(() => t.dispose());

const owner = { actor: 'owner' as const, address: '198.51.100.7', userAgent: 'test' };
const anonymous = { actor: 'anonymous' as const, address: '198.51.100.8', userAgent: 'test' };
const imap = { service: 'imap' as const, address: '203.0.113.9' };

/** An owner with two app passwords (one already used by an app) and a second web session. */
async function ownerWithApps() {
  const account = await signUpOwner(t.sidekey);
  const mail = await t.sidekey.appPasswords.generate(account.accountId, { label: 'Mail' }, owner);
  const phone = await t.sidekey.appPasswords.generate(account.accountId, { label: 'Phone' }, owner);
  expect(
    await t.sidekey.verify({ username: account.email, password: mail.password, ...imap }),
  ).toMatchObject({ ok: true });
  const other = await t.sidekey.accounts.signIn(
    { email: account.email, password: account.password, code: account.totpCode() },
    anonymous,
  );
  if (other.status !== 'signed_in') throw new Error('expected a session');
  return { ...account, mail, phone, otherSessionToken: other.sessionToken };
}

async function counts() {
  const { db } = t.database;
  return {
    accounts: await db.$count(accounts),
    credentials: await db.$count(appPasswords),
    sessions: await db.$count(sessions),
    events: await db.$count(auditEvents),
    tokens: await db.$count(passwordResetTokens),
    mail: await db.$count(outbox),
  };
}

async function failureOf(promise: Promise<unknown>) {
  const error = (await promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  )) as { code: string; message: string; reason?: string };
  return { code: error.code, message: error.message, reason: error.reason };
}

async function lastMailTo(email: string) {
  await t.sidekey.mailer.settled();
  const messages = await t.sidekey.mailer.list({ limit: 50 });
  return messages.find((m) => m.recipient === email);
}

describe('changePassword', () => {
  it('sets the new password, revokes every app password and ends every other session, in one go', async () => {
    const o = await ownerWithApps();
    const result = await t.sidekey.passwords.changePassword(
      o.accountId,
      o.session.id,
      { currentPassword: o.password, newPassword: 'a brand new passphrase' },
      owner,
    );
    expect(result).toEqual({ revokedAppPasswords: 2, endedSessions: 1 });

    // The app that was signed in is cut off at its very next verification.
    expect(
      await t.sidekey.verify({ username: o.email, password: o.mail.password, ...imap }),
    ).toEqual({ ok: false, reason: 'revoked' });
    expect((await t.sidekey.appPasswords.list(o.accountId)).map((p) => p.revokeReason)).toEqual([
      'password_changed',
      'password_changed',
    ]);
    expect(await t.sidekey.sessions.validate(o.otherSessionToken)).toBeNull();
    expect(await t.sidekey.sessions.validate(o.sessionToken)).not.toBeNull();

    const code = o.totpCode();
    await expect(
      t.sidekey.accounts.signIn({ email: o.email, password: o.password, code }, anonymous),
    ).rejects.toMatchObject({ reason: 'wrong_credentials' });
    expect(
      await t.sidekey.accounts.signIn(
        { email: o.email, password: 'a brand new passphrase', code },
        anonymous,
      ),
    ).toMatchObject({ status: 'signed_in' });

    const notice = await lastMailTo(o.email);
    expect(notice?.subject).toBe('Sidekey: your password was changed');
    expect(notice?.body).toContain('2 app passwords were revoked');
    expect((await t.sidekey.activity(o.accountId)).map((e) => e.action)).toContain(
      'password_changed',
    );
  });

  it('refuses a wrong current password or a weak new one and changes nothing', async () => {
    const o = await ownerWithApps();
    const before = await counts();
    const attempts: Array<[{ currentPassword: string; newPassword: string }, string]> = [
      [
        { currentPassword: 'not my password', newPassword: 'a brand new passphrase' },
        'wrong_credentials',
      ],
      [{ currentPassword: o.password, newPassword: 'short' }, 'weak_password'],
      [{ currentPassword: o.password, newPassword: 'qwertyuiop' }, 'weak_password'],
      [{ currentPassword: o.password, newPassword: o.password }, 'weak_password'],
    ];
    for (const [input, reason] of attempts) {
      expect(
        await failureOf(
          t.sidekey.passwords.changePassword(o.accountId, o.session.id, input, owner),
        ),
      ).toMatchObject({ reason });
    }
    const after = await counts();
    // Only the audit of the failed attempt is written.
    expect({ ...after, events: before.events }).toEqual(before);
    expect(
      await t.sidekey.verify({ username: o.email, password: o.mail.password, ...imap }),
    ).toMatchObject({ ok: true });
  });
});

describe('password reset', () => {
  async function requestLink(email: string) {
    await t.sidekey.passwords.requestPasswordReset({ email }, anonymous);
    const message = await lastMailTo(email.trim().toLowerCase());
    const link = message?.body.match(/https:\/\/\S+/)?.[0];
    if (!link) throw new Error('no reset link was mailed');
    return { link, token: new URL(link).hash.replace('#token=', '') };
  }

  it('mails a link with a 256-bit token in the fragment, stores only its hash, and answers the same for unknown emails', async () => {
    const o = await signUpOwner(t.sidekey);
    const { link, token } = await requestLink(` ${o.email.toUpperCase()} `);
    expect(link).toMatch(
      /^https:\/\/sidekey\.example\.org\/reset-password#token=[A-Za-z0-9_-]{43}$/,
    );
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    const stored = await t.database.db
      .select()
      .from(passwordResetTokens)
      .where(eq(passwordResetTokens.accountId, o.accountId));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.id).not.toContain(token);
    expect(stored[0]!.expiresAt.getTime() - stored[0]!.createdAt.getTime()).toBe(
      DEFAULT_RESET_TTL_MS,
    );

    const before = await counts();
    expect(
      await t.sidekey.passwords.requestPasswordReset({ email: 'nobody@example.org' }, anonymous),
    ).toEqual({ sent: true });
    expect(await counts()).toEqual(before);
    await expect(
      t.sidekey.passwords.requestPasswordReset({ email: 'not an email' }, anonymous),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST', reason: 'invalid_email' });
  });

  it('sets the new password, revokes all app passwords and ends every session; the link then works no more', async () => {
    const o = await ownerWithApps();
    const { token } = await requestLink(o.email);
    expect(
      await t.sidekey.passwords.resetPassword(
        { token, newPassword: 'reset to something long' },
        anonymous,
      ),
    ).toEqual({ revokedAppPasswords: 2 });

    expect(
      await t.sidekey.verify({ username: o.email, password: o.phone.password, ...imap }),
    ).toEqual({ ok: false, reason: 'revoked' });
    expect(
      (await t.sidekey.appPasswords.list(o.accountId)).every(
        (p) => p.revokeReason === 'password_reset',
      ),
    ).toBe(true);
    expect(await t.sidekey.sessions.validate(o.sessionToken)).toBeNull();
    expect(await t.sidekey.sessions.validate(o.otherSessionToken)).toBeNull();
    // Two-factor stays on: a reset by mail alone does not remove the second factor.
    expect(
      await t.sidekey.accounts.signIn(
        { email: o.email, password: 'reset to something long' },
        anonymous,
      ),
    ).toEqual({ status: 'two_factor_required' });

    expect(
      await failureOf(
        t.sidekey.passwords.resetPassword({ token, newPassword: 'and again something' }, anonymous),
      ),
    ).toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'invalid_token',
    });
    expect((await lastMailTo(o.email))?.subject).toBe('Sidekey: your password was reset');
  });

  it('mails one link for a burst of concurrent reset requests', async () => {
    const o = await signUpOwner(t.sidekey);
    const before = await counts();
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t.sidekey.passwords.requestPasswordReset(
          { email: o.email },
          { actor: 'anonymous', address: `192.0.2.${i}` },
        ),
      ),
    );
    await t.sidekey.mailer.settled();
    expect((await counts()).mail).toBe(before.mail + 1);
    expect((await counts()).tokens).toBe(before.tokens + 1);
  });

  it('sends at most one reset mail a minute per account, answering the same', async () => {
    const o = await signUpOwner(t.sidekey);
    await requestLink(o.email);
    const before = await counts();
    expect(await t.sidekey.passwords.requestPasswordReset({ email: o.email }, anonymous)).toEqual({
      sent: true,
    });
    // Mail work runs after the answer: let it finish on this clock before counting and
    // before the clock moves on (else it may run after the minute has passed).
    await t.sidekey.mailer.settled();
    expect(await counts()).toEqual(before);
    t.clock.advance(RESET_REQUEST_INTERVAL_MS + 1);
    await requestLink(o.email);
    expect((await counts()).mail).toBe(before.mail + 1);
  });

  it('lets only one of two concurrent resets with the same link through', async () => {
    const o = await signUpOwner(t.sidekey);
    const { token } = await requestLink(o.email);
    const results = await Promise.allSettled(
      ['first new password', 'second new password'].map((newPassword) =>
        t.sidekey.passwords.resetPassword({ token, newPassword }, anonymous),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('expires the link after its time', async () => {
    const o = await signUpOwner(t.sidekey);
    const { token } = await requestLink(o.email);
    t.clock.advance(DEFAULT_RESET_TTL_MS + 1);
    expect(
      await failureOf(
        t.sidekey.passwords.resetPassword(
          { token, newPassword: 'too late for this one' },
          anonymous,
        ),
      ),
    ).toMatchObject({ reason: 'invalid_token' });
  });

  it('refuses a weak new password without spending the link, and garbage tokens without any work', async () => {
    const o = await signUpOwner(t.sidekey);
    const { token } = await requestLink(o.email);
    const before = await counts();
    expect(
      await failureOf(
        t.sidekey.passwords.resetPassword({ token, newPassword: 'password123' }, anonymous),
      ),
    ).toMatchObject({ reason: 'weak_password' });
    for (const bad of ['', 'x', 'a'.repeat(43), `${token}x`, "'; DROP TABLE accounts; --"]) {
      expect(
        await failureOf(
          t.sidekey.passwords.resetPassword(
            { token: bad, newPassword: 'a fine long password' },
            anonymous,
          ),
        ),
      ).toMatchObject({ reason: 'invalid_token' });
    }
    expect(await counts()).toEqual(before);
    expect(
      await t.sidekey.passwords.resetPassword(
        { token, newPassword: 'a fine long password' },
        anonymous,
      ),
    ).toEqual({ revokedAppPasswords: 0 });
  });
});
