import { accounts, auditEvents, recoveryCodes, sessions } from '@sidekey/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSidekey, signUpOwner, totpCodeSource, type TestSidekey } from '../testing.ts';
import { WRONG_CREDENTIALS_MESSAGE } from './authentication.ts';
import { REAUTHENTICATION_WINDOW_MS } from './sessions.ts';

let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey();
});
afterAll(() => t.dispose());

let n = 0;
const from = () => ({
  actor: 'anonymous' as const,
  address: `203.0.113.${++n % 250}`,
  userAgent: 'test',
});

async function rowCounts() {
  const { db } = t.database;
  return {
    accounts: await db.$count(accounts),
    sessions: await db.$count(sessions),
    events: await db.$count(auditEvents),
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

describe('sign-up', () => {
  it('normalises the email and stores an argon2id hash, never the password', async () => {
    const { accountId } = await t.sidekey.accounts.signUp(
      { email: '  Ada.Lovelace@Example.ORG ', password: 'analytical engine notes' },
      from(),
    );
    const [row] = await t.database.db.select().from(accounts).where(eq(accounts.id, accountId));
    expect(row!.email).toBe('ada.lovelace@example.org');
    expect(row!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(JSON.stringify(row)).not.toContain('analytical engine notes');
  });

  it('refuses short, common, repetitive and self-describing passwords, a bad email and a taken one, writing nothing', async () => {
    await t.sidekey.accounts.signUp(
      { email: 'taken@example.org', password: 'a fine long password' },
      from(),
    );
    const before = await rowCounts();
    const cases: Array<[{ email: string; password: string }, string, RegExp]> = [
      [{ email: 'a@example.org', password: 'short' }, 'weak_password', /at least 10 characters/],
      [{ email: 'a@example.org', password: 'qwertyuiop' }, 'weak_password', /most common/],
      [{ email: 'a@example.org', password: 'Password123' }, 'weak_password', /most common/],
      [{ email: 'a@example.org', password: 'aaaaaaaaaaaa' }, 'weak_password', /repeated character/],
      [
        { email: 'zebediah.q@example.org', password: 'zebediah.q2024' },
        'weak_password',
        /email address/,
      ],
      [{ email: 'ab@example.org', password: 'ab@example.org' }, 'weak_password', /email address/],
      [{ email: 'not-an-email', password: 'a fine long password' }, 'invalid_email', /valid email/],
      [
        { email: 'x'.repeat(300) + '@example.org', password: 'a fine long password' },
        'invalid_email',
        /valid email/,
      ],
      [
        { email: 'TAKEN@example.org', password: 'another long password' },
        'email_taken',
        /already exists/,
      ],
    ];
    for (const [input, reason, message] of cases) {
      const failure = await failureOf(t.sidekey.accounts.signUp(input, from()));
      expect(failure, input.password).toMatchObject({
        reason,
        message: expect.stringMatching(message),
      });
    }
    expect(await rowCounts()).toEqual(before);
  });
});

describe('sign-in', () => {
  it('answers a wrong password and an unknown email with the same error, and audits the failure', async () => {
    const owner = await signUpOwner(t.sidekey, undefined, { twoFactor: false });
    const wrong = await failureOf(
      t.sidekey.accounts.signIn({ email: owner.email, password: 'not the password' }, from()),
    );
    const unknown = await failureOf(
      t.sidekey.accounts.signIn(
        { email: 'nobody@example.org', password: 'not the password' },
        from(),
      ),
    );
    const malformed = await failureOf(
      t.sidekey.accounts.signIn({ email: 'not an email', password: 'x' }, from()),
    );
    const expected = {
      code: 'UNAUTHORIZED',
      message: WRONG_CREDENTIALS_MESSAGE,
      reason: 'wrong_credentials',
    };
    expect(wrong).toEqual(expected);
    expect(unknown).toEqual(expected);
    expect(malformed).toEqual(expected);

    const signedIn = await t.sidekey.accounts.signIn(
      { email: owner.email.toUpperCase(), password: owner.password },
      { ...from(), userAgent: 'Firefox' },
    );
    expect(signedIn).toMatchObject({ status: 'signed_in', accountId: owner.accountId });
    const trail = await t.sidekey.activity(owner.accountId);
    expect(trail.map((e) => e.action).slice(0, 2)).toEqual(['sign_in', 'sign_in_failed']);
    expect(trail[0]).toMatchObject({
      userAgent: 'Firefox',
      address: expect.stringMatching(/^203\./),
    });
    expect(JSON.stringify(trail)).not.toContain('not the password');
  });

  it('with two-factor on, asks for a code and opens no session until one is given', async () => {
    const owner = await signUpOwner(t.sidekey);
    const before = await t.database.db.$count(sessions);
    expect(
      await t.sidekey.accounts.signIn({ email: owner.email, password: owner.password }, from()),
    ).toEqual({ status: 'two_factor_required' });
    expect(await t.database.db.$count(sessions)).toBe(before);

    const withCode = await t.sidekey.accounts.signIn(
      { email: owner.email, password: owner.password, code: owner.totpCode() },
      from(),
    );
    expect(withCode.status).toBe('signed_in');
    expect(await t.database.db.$count(sessions)).toBe(before + 1);
  });

  it('refuses a wrong code, and the same TOTP step a second time (RFC 6238 §5.2)', async () => {
    const owner = await signUpOwner(t.sidekey);
    t.clock.advance(30_000);
    const code = owner.totpCode();
    const signIn = (c: string) =>
      t.sidekey.accounts.signIn({ email: owner.email, password: owner.password, code: c }, from());
    expect(await failureOf(signIn('000000'))).toMatchObject({
      code: 'UNAUTHORIZED',
      reason: 'invalid_code',
    });
    expect((await signIn(code)).status).toBe('signed_in');
    expect(await failureOf(signIn(code))).toMatchObject({ reason: 'invalid_code' });
    // A code of an earlier step than one already used is refused too.
    const codes = totpCodeSource(owner.totpSecret!, () => new Date(t.clock.now.getTime() - 30_000));
    expect(await failureOf(signIn(codes.current()))).toMatchObject({ reason: 'invalid_code' });
  });

  it('lets exactly one of two concurrent sign-ins with the same code through', async () => {
    const owner = await signUpOwner(t.sidekey);
    t.clock.advance(30_000);
    const code = owner.totpCode();
    const results = await Promise.allSettled(
      [1, 2, 3].map(() =>
        t.sidekey.accounts.signIn({ email: owner.email, password: owner.password, code }, from()),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('accepts each recovery code once, in any case and spacing', async () => {
    const owner = await signUpOwner(t.sidekey);
    expect(owner.recoveryCodes).toHaveLength(10);
    const [first] = owner.recoveryCodes;
    const typed = ` ${first!.toUpperCase().replace(/-/g, ' ')} `;
    const signIn = (code: string) =>
      t.sidekey.accounts.signIn({ email: owner.email, password: owner.password, code }, from());
    expect((await signIn(typed)).status).toBe('signed_in');
    expect(await failureOf(signIn(first!))).toMatchObject({ reason: 'invalid_code' });
    expect(await t.sidekey.twoFactor.status(owner.accountId)).toMatchObject({
      enabled: true,
      recoveryCodesLeft: 9,
    });
    const stored = await t.database.db
      .select()
      .from(recoveryCodes)
      .where(eq(recoveryCodes.accountId, owner.accountId));
    expect(JSON.stringify(stored)).not.toContain(first!.replace(/-/g, ''));
    expect(stored.every((row) => row.codeHash.startsWith('$argon2id$'))).toBe(true);
  });

  it('never lets an app password open a web session', async () => {
    const owner = await signUpOwner(t.sidekey);
    const { password } = await t.sidekey.appPasswords.generate(
      owner.accountId,
      { label: 'Mail' },
      { actor: 'owner' },
    );
    expect(
      await failureOf(
        t.sidekey.accounts.signIn({ email: owner.email, password, code: owner.totpCode() }, from()),
      ),
    ).toMatchObject({ reason: 'wrong_credentials' });
  });
});

describe('re-authentication', () => {
  it('needs the password and, with two-factor on, a fresh code; opens a 5-minute window', async () => {
    const owner = await signUpOwner(t.sidekey);
    const session = () => t.sidekey.sessions.validate(owner.sessionToken).then((v) => v!.session);
    t.clock.advance(REAUTHENTICATION_WINDOW_MS + 1_000);
    expect(t.sidekey.sessions.isRecentlyReauthenticated(await session())).toBe(false);

    const reauth = (input: { password: string; code?: string }) =>
      t.sidekey.accounts.reauthenticate(owner.accountId, owner.session.id, input, {
        actor: 'owner',
      });
    expect(await failureOf(reauth({ password: 'wrong password!' }))).toMatchObject({
      reason: 'wrong_credentials',
    });
    expect(await failureOf(reauth({ password: owner.password }))).toMatchObject({
      reason: 'two_factor_required',
      message: expect.stringMatching(/code/),
    });
    expect(await failureOf(reauth({ password: owner.password, code: '123456' }))).toMatchObject({
      reason: 'invalid_code',
    });
    expect(t.sidekey.sessions.isRecentlyReauthenticated(await session())).toBe(false);

    await reauth({ password: owner.password, code: owner.totpCode() });
    expect(t.sidekey.sessions.isRecentlyReauthenticated(await session())).toBe(true);
    t.clock.advance(REAUTHENTICATION_WINDOW_MS + 1);
    expect(t.sidekey.sessions.isRecentlyReauthenticated(await session())).toBe(false);
  });
});

describe('the two-factor rule', () => {
  it('refuses generate without two-factor, saying it must be turned on first, and writes nothing', async () => {
    const owner = await signUpOwner(t.sidekey, undefined, { twoFactor: false });
    const before = await rowCounts();
    expect(
      await failureOf(
        t.sidekey.appPasswords.generate(owner.accountId, { label: 'Mail' }, { actor: 'owner' }),
      ),
    ).toEqual({
      code: 'PRECONDITION_FAILED',
      reason: 'two_factor_required',
      message: expect.stringMatching(/Two-factor authentication must be turned on/),
    });
    expect(await rowCounts()).toEqual(before);
  });
});

describe('sessions', () => {
  it('lists where the owner is signed in and signs out every other session', async () => {
    const owner = await signUpOwner(t.sidekey, undefined, { twoFactor: false });
    await t.sidekey.accounts.signIn(
      { email: owner.email, password: owner.password },
      { actor: 'anonymous', address: '198.51.100.1', userAgent: 'Phone' },
    );
    await t.sidekey.accounts.signIn(
      { email: owner.email, password: owner.password },
      { actor: 'anonymous', address: '198.51.100.2', userAgent: 'Laptop' },
    );
    const listed = await t.sidekey.sessions.listForAccount(owner.accountId, owner.session.id);
    expect(listed).toHaveLength(3);
    expect(listed.filter((s) => s.current)).toHaveLength(1);
    expect(listed.map((s) => s.userAgent).sort()).toEqual(['Laptop', 'Phone', null]);

    expect(
      await t.sidekey.sessions.signOutOthers(owner.accountId, owner.session.id, { actor: 'owner' }),
    ).toBe(2);
    expect(await t.sidekey.sessions.listForAccount(owner.accountId, owner.session.id)).toEqual([
      expect.objectContaining({ id: owner.session.id, current: true }),
    ]);
    expect(await t.sidekey.sessions.validate(owner.sessionToken)).not.toBeNull();
  });
});
