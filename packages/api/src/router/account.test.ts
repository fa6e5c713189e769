import {
  accounts,
  appPasswords,
  auditEvents,
  outbox,
  passwordResetTokens,
  sessions,
} from '@sidekey/db';
import { createTestSidekey, type TestSidekey } from '@sidekey/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTestClient, signUpOverHttp, trpcErrorOf } from '../testing.ts';

let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey();
});
afterAll(() => t.dispose());

const ownerClient = (address = '192.0.2.10') => signUpOverHttp(t.sidekey, { address });

async function rowCounts() {
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

describe('sessions', () => {
  it('lists where the owner is signed in and signs the others out', async () => {
    const { client, email, password, totpCode } = await ownerClient();
    const laptop = createHttpTestClient(t.sidekey, '192.0.2.44');
    await laptop.trpc.auth.signIn.mutate({ email, password, code: totpCode() });
    const listed = await client.trpc.auth.sessions.query();
    expect(listed).toHaveLength(2);
    expect(listed.find((s) => s.current)).toMatchObject({ address: '192.0.2.10' });
    expect(listed.find((s) => !s.current)).toMatchObject({ address: '192.0.2.44' });
    expect(listed[0]!.createdAt).toBeInstanceOf(Date);

    expect(await client.trpc.auth.signOutOthers.mutate()).toEqual({ ended: 1 });
    expect(await laptop.trpc.auth.session.query()).toBeNull();
    expect(await client.trpc.auth.session.query()).not.toBeNull();
  });
});

describe('account', () => {
  it('changePassword revokes every app password and ends the other sessions', async () => {
    const { client, email, password, totpCode } = await ownerClient();
    const app = await client.trpc.appPasswords.generate.mutate({ label: 'Thunderbird' });
    const other = createHttpTestClient(t.sidekey, '192.0.2.45');
    await other.trpc.auth.signIn.mutate({ email, password, code: totpCode() });

    expect(
      await client.trpc.account.changePassword.mutate({
        currentPassword: password,
        newPassword: 'my new long passphrase',
      }),
    ).toEqual({ revokedAppPasswords: 1, endedSessions: 1 });
    expect(
      await t.sidekey.verify({ username: email, password: app.password, service: 'imap' }),
    ).toEqual({ ok: false, reason: 'revoked' });
    expect(await other.trpc.auth.session.query()).toBeNull();
    expect(await client.trpc.auth.session.query()).not.toBeNull();

    const activity = await client.trpc.account.activity.query();
    expect(activity[0]).toMatchObject({ action: 'password_changed', address: '192.0.2.10' });
    expect(activity.find((e) => e.action === 'REVOKE')).toMatchObject({
      label: 'Thunderbird',
      reason: 'password_changed',
      credentialId: app.id,
    });
    const older = await client.trpc.account.activity.query({ limit: 2, before: activity[1]!.id });
    expect(older.map((e) => e.id)).toEqual(activity.slice(2, 4).map((e) => e.id));
    expect(JSON.stringify(activity)).not.toContain(app.password);
  });

  it('changePassword needs a recent re-authentication and the right current password', async () => {
    const { client, password } = await ownerClient();
    expect(
      await trpcErrorOf(
        client.trpc.account.changePassword.mutate({
          currentPassword: 'not the password',
          newPassword: 'my new long passphrase',
        }),
      ),
    ).toMatchObject({ status: 401, reason: 'wrong_credentials' });
    t.clock.advance(6 * 60_000);
    expect(
      await trpcErrorOf(
        client.trpc.account.changePassword.mutate({
          currentPassword: password,
          newPassword: 'my new long passphrase',
        }),
      ),
    ).toMatchObject({ status: 403, reason: 'reauthentication_required' });
  });

  it('requestPasswordReset answers the same for any email; resetPassword ends every session, this one too', async () => {
    const { client, email } = await ownerClient();
    const before = await rowCounts();
    expect(
      await client.trpc.account.requestPasswordReset.mutate({ email: 'nobody@example.org' }),
    ).toEqual({ sent: true });
    expect(await rowCounts()).toEqual(before);

    const visitor = createHttpTestClient(t.sidekey, '192.0.2.99');
    expect(await visitor.trpc.account.requestPasswordReset.mutate({ email })).toEqual({
      sent: true,
    });
    await t.sidekey.mailer.settled();
    const [mail] = await t.sidekey.mailer.list({ limit: 1 });
    // The link points at ORIGIN (here unset: this machine), never at the Host the request
    // claimed — a caller could name their own host and receive the token. The token is in
    // the fragment, which browsers never send to a server.
    const link = mail!.body.match(/http\S+/)![0];
    expect(link).toMatch(/^http:\/\/localhost:3000\/reset-password#token=[A-Za-z0-9_-]{43}$/);
    const token = new URL(link).hash.slice('#token='.length);

    expect(
      await visitor.trpc.account.resetPassword.mutate({ token, newPassword: 'reset over http ok' }),
    ).toEqual({ revokedAppPasswords: 0 });
    expect(await client.trpc.auth.session.query()).toBeNull();
    expect(
      await trpcErrorOf(
        visitor.trpc.account.resetPassword.mutate({ token, newPassword: 'reset over http ok' }),
      ),
    ).toMatchObject({ status: 400, reason: 'invalid_token' });
  });
});

describe('throttled sign-in over HTTP', () => {
  it('answers 429 with Retry-After and never holds the request', async () => {
    const { email } = await ownerClient();
    const stranger = createHttpTestClient(t.sidekey, '192.0.2.200');
    for (let i = 0; i < 5; i++) {
      await stranger.trpc.auth.signIn.mutate({ email, password: `guess ${i}` }).catch(() => {});
    }
    const response = await stranger.raw(
      'auth.signIn',
      JSON.stringify({ json: { email, password: 'guess 6' } }),
    );
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(
      await trpcErrorOf(stranger.trpc.auth.signIn.mutate({ email, password: 'guess 7' })),
    ).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'throttled', retryAfterSeconds: 1 });
  });
});

describe('bad input to the account procedures: a clear 4xx, never a 500, nothing written', () => {
  const badCalls: Array<[string, string | undefined, 'POST' | 'GET', RegExp]> = [
    ['account.changePassword', JSON.stringify({ json: {} }), 'POST', /password/i],
    [
      'account.changePassword',
      JSON.stringify({ json: { currentPassword: 'x', newPassword: 5 } }),
      'POST',
      /new password/i,
    ],
    [
      'account.changePassword',
      JSON.stringify({ json: { currentPassword: 'a long enough password', newPassword: 'short' } }),
      'POST',
      /at least 10/,
    ],
    [
      'account.changePassword',
      JSON.stringify({
        json: { currentPassword: 'a long enough password', newPassword: 'x'.repeat(300) },
      }),
      'POST',
      /at most 256/,
    ],
    [
      'account.changePassword',
      JSON.stringify({
        json: { currentPassword: 'a long enough password', newPassword: '1234567890' },
      }),
      'POST',
      /most common/,
    ],
    ['account.requestPasswordReset', JSON.stringify({ json: {} }), 'POST', /email/i],
    [
      'account.requestPasswordReset',
      JSON.stringify({ json: { email: 'not-an-email' } }),
      'POST',
      /valid email/,
    ],
    [
      'account.requestPasswordReset',
      JSON.stringify({ json: { email: 'x'.repeat(1000) } }),
      'POST',
      /at most 254/,
    ],
    [
      'account.resetPassword',
      JSON.stringify({ json: { newPassword: 'a long enough one' } }),
      'POST',
      /reset link/,
    ],
    [
      'account.resetPassword',
      JSON.stringify({ json: { token: 'abc', newPassword: 'a long enough one' } }),
      'POST',
      /invalid, was already used or has expired/,
    ],
    [
      'account.resetPassword',
      JSON.stringify({ json: { token: 'x'.repeat(5000), newPassword: 'a long enough one' } }),
      'POST',
      /not valid/,
    ],
    ['account.activity', JSON.stringify({ json: { limit: 0 } }), 'GET', /at least 1/],
    ['account.activity', JSON.stringify({ json: { limit: 10_000 } }), 'GET', /at most 200/],
    ['account.activity', JSON.stringify({ json: { before: 'yesterday' } }), 'GET', /event id/],
    ['account.activity', JSON.stringify({ json: { limit: 1.5 } }), 'GET', /whole number/],
    ['auth.sessions', undefined, 'POST', /./],
    ['auth.signOutOthers', JSON.stringify({ json: 'everyone' }), 'GET', /./],
  ];

  it.each(badCalls)('%s %s', async (path, body, method, message) => {
    const { client } = await ownerClient();
    const before = await rowCounts();
    const response = await client.raw(path, body, method);
    expect(response.status, response.text).toBeGreaterThanOrEqual(400);
    expect(response.status, response.text).toBeLessThan(500);
    const error = (response.json as { error?: { json?: { message?: string } } })?.error?.json;
    expect(error?.message).toMatch(message);
    expect(response.text).not.toMatch(/stack|at .*\.ts:\d+|node_modules/);
    // Refused before any work: not even an audit event is written.
    expect(await rowCounts()).toEqual(before);
  });
});
