import { appPasswords, auditEvents } from '@sidekey/db';
import { createTestSidekey, type TestSidekey } from '@sidekey/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTestClient, signUpOverHttp, trpcErrorOf } from '../testing.ts';

let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey();
});
afterAll(() => t.dispose());

const signedInClient = () => signUpOverHttp(t.sidekey);

async function rowCounts() {
  const { db } = t.database;
  return { credentials: await db.$count(appPasswords), events: await db.$count(auditEvents) };
}

describe('appPasswords over /api/trpc', () => {
  it('generate → list → history → revoke → revokeAll, as the owner sees them', async () => {
    const { client } = await signedInClient();
    const generated = await client.trpc.appPasswords.generate.mutate({
      label: 'Thunderbird',
      scopes: ['mail'],
    });
    expect(generated.password).toMatch(/^skap-/);
    expect(generated.createdAt).toBeInstanceOf(Date); // superjson keeps dates

    const listed = await client.trpc.appPasswords.list.query();
    expect(listed).toEqual([
      expect.objectContaining({
        id: generated.id,
        label: 'Thunderbird',
        state: 'pending',
        scopes: ['mail'],
      }),
    ]);
    expect(JSON.stringify(listed)).not.toContain(generated.password);

    await client.trpc.appPasswords.generate.mutate({ label: 'Phone' });
    expect(await client.trpc.appPasswords.revoke.mutate({ id: generated.id })).toMatchObject({
      state: 'revoked',
      revokeReason: 'user',
    });
    expect(await client.trpc.appPasswords.revokeAll.mutate()).toEqual({ revoked: 1 });

    const history = await client.trpc.appPasswords.history.query({ id: generated.id });
    expect(history.map((e) => e.action)).toEqual(['GENERATE', 'REVOKE']);
    expect(history[1]).toMatchObject({ address: '192.0.2.10', actor: 'owner' });
  });

  it('is closed to anyone signed out', async () => {
    const anonymous = createHttpTestClient(t.sidekey);
    for (const call of [
      () => anonymous.trpc.appPasswords.list.query(),
      () => anonymous.trpc.appPasswords.generate.mutate({ label: 'x' }),
      () => anonymous.trpc.appPasswords.revokeAll.mutate(),
    ]) {
      expect(await trpcErrorOf(call())).toMatchObject({
        code: 'UNAUTHORIZED',
        status: 401,
        message: 'Sign in to continue.',
      });
    }
  });

  it("answers NOT_FOUND for someone else's credential and an unknown one, and changes nothing", async () => {
    const alice = await signedInClient();
    const mallory = await signedInClient();
    const { id } = await alice.client.trpc.appPasswords.generate.mutate({ label: 'Alice' });
    const before = await rowCounts();
    for (const target of [id, '7d0b6a8e-5f2c-4c1e-9a55-0f3c2b1d4e6f']) {
      expect(
        await trpcErrorOf(mallory.client.trpc.appPasswords.revoke.mutate({ id: target })),
      ).toMatchObject({
        code: 'NOT_FOUND',
        status: 404,
        message: 'App password not found.',
      });
      expect(
        await trpcErrorOf(mallory.client.trpc.appPasswords.history.query({ id: target })),
      ).toMatchObject({ code: 'NOT_FOUND' });
    }
    expect(await rowCounts()).toEqual(before);
    expect((await alice.client.trpc.appPasswords.list.query())[0]!.state).toBe('pending');
  });

  it('needs a recent re-authentication to generate or revoke all', async () => {
    const { client, password, totpCode } = await signedInClient();
    t.clock.advance(6 * 60_000);
    const before = await rowCounts();
    for (const call of [
      () => client.trpc.appPasswords.generate.mutate({ label: 'Later' }),
      () => client.trpc.appPasswords.revokeAll.mutate(),
    ]) {
      expect(await trpcErrorOf(call())).toMatchObject({
        code: 'FORBIDDEN',
        status: 403,
        reason: 'reauthentication_required',
      });
    }
    expect(await rowCounts()).toEqual(before);
    expect(
      await trpcErrorOf(client.trpc.auth.reauthenticate.mutate({ password: 'not my password' })),
    ).toMatchObject({
      code: 'UNAUTHORIZED',
    });
    await client.trpc.auth.reauthenticate.mutate({ password, code: totpCode() });
    await expect(
      client.trpc.appPasswords.generate.mutate({ label: 'Later' }),
    ).resolves.toMatchObject({ label: 'Later' });
  });
});

describe('bad input: a clear 4xx, never a 500, nothing written', () => {
  const badCalls: Array<[string, string | undefined, 'POST' | 'GET', RegExp]> = [
    ['appPasswords.generate', JSON.stringify({ json: {} }), 'POST', /label/i],
    ['appPasswords.generate', JSON.stringify({ json: { label: 42 } }), 'POST', /label/i],
    [
      'appPasswords.generate',
      JSON.stringify({ json: { label: 'x'.repeat(10_240) } }),
      'POST',
      /at most 64 characters/,
    ],
    [
      'appPasswords.generate',
      JSON.stringify({ json: { label: 'ok', scopes: ['root'] } }),
      'POST',
      /mail, contacts, calendars or files/,
    ],
    [
      'appPasswords.generate',
      JSON.stringify({ json: { label: 'ok', scopes: 'mail' } }),
      'POST',
      /must be a list/,
    ],
    [
      'appPasswords.generate',
      JSON.stringify({ json: { label: '   ' } }),
      'POST',
      /Give the app password a label/,
    ],
    [
      'appPasswords.generate',
      JSON.stringify({ json: { label: 'ok', expiresAt: 'tomorrow' } }),
      'POST',
      /date/,
    ],
    ['appPasswords.generate', '{not json', 'POST', /./],
    ['appPasswords.revoke', JSON.stringify({ json: {} }), 'POST', /app password id/],
    [
      'appPasswords.revoke',
      JSON.stringify({ json: { id: 'not-a-uuid' } }),
      'POST',
      /not an app password id/,
    ],
    ['appPasswords.revoke', JSON.stringify({ json: { id: 12 } }), 'POST', /app password id/],
    [
      'appPasswords.history',
      JSON.stringify({ json: { id: "'; DROP TABLE app_passwords; --" } }),
      'GET',
      /not an app password id/,
    ],
    ['appPasswords.list', undefined, 'POST', /./],
    ['appPasswords.nope', JSON.stringify({ json: {} }), 'POST', /./],
    ['auth.signUp', JSON.stringify({ json: { email: 'a@b.co' } }), 'POST', /password/i],
    [
      'auth.signUp',
      JSON.stringify({ json: { email: 'not-an-email', password: 'long enough password' } }),
      'POST',
      /valid email/,
    ],
    [
      'auth.signUp',
      JSON.stringify({ json: { email: 'short@example.org', password: 'short' } }),
      'POST',
      /at least 10 characters/,
    ],
    [
      'auth.signUp',
      JSON.stringify({ json: { email: 'x'.repeat(10_000), password: 'long enough password' } }),
      'POST',
      /at most 254/,
    ],
    ['auth.signIn', JSON.stringify({ json: { email: null, password: [] } }), 'POST', /email/i],
  ];

  it.each(badCalls)('%s %s', async (path, body, method, message) => {
    const { client } = await signedInClient();
    const before = await rowCounts();
    const response = await client.raw(path, body, method);
    expect(response.status, response.text).toBeGreaterThanOrEqual(400);
    expect(response.status, response.text).toBeLessThan(500);
    const error = (
      response.json as { error?: { json?: { message?: string; data?: { stack?: unknown } } } }
    )?.error?.json;
    expect(error?.message).toMatch(message);
    expect(response.text).not.toMatch(/stack|at .*\.ts:\d+|node_modules/);
    expect(await rowCounts()).toEqual(before);
  });
});
