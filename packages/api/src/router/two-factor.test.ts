import { accounts, auditEvents, recoveryCodes } from '@sidekey/db';
import { createTestSidekey, totpCodeSource, type TestSidekey } from '@sidekey/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTestClient, signUpOverHttp, trpcErrorOf } from '../testing.ts';

let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey();
});
afterAll(() => t.dispose());

const signedUpClient = () => signUpOverHttp(t.sidekey, { twoFactor: false });

async function rowCounts() {
  const { db } = t.database;
  return {
    accounts: await db.$count(accounts),
    codes: await db.$count(recoveryCodes),
    events: await db.$count(auditEvents),
  };
}

describe('twoFactor over /api/trpc', () => {
  it('generate is refused until two-factor is on; enrol, sign in with a code, turn it off', async () => {
    const { client, email, password } = await signedUpClient();
    expect(await trpcErrorOf(client.trpc.appPasswords.generate.mutate({ label: 'Mail' }))).toEqual({
      code: 'PRECONDITION_FAILED',
      status: 412,
      reason: 'two_factor_required',
      message: expect.stringMatching(/Two-factor authentication must be turned on/),
    });

    const offer = await client.trpc.twoFactor.beginEnrollment.mutate();
    expect(offer.otpauthUri).toContain(`secret=${offer.secret}`);
    expect(offer.qrSvg).toContain('<svg');
    const codes = totpCodeSource(offer.secret, () => t.clock.now);
    const { recoveryCodes: recovery } = await client.trpc.twoFactor.confirmEnrollment.mutate({
      code: codes.next(),
    });
    expect(recovery).toHaveLength(10);
    expect(await client.trpc.auth.session.query()).toMatchObject({ twoFactorEnabled: true });
    expect(await client.trpc.twoFactor.status.query()).toMatchObject({
      enabled: true,
      recoveryCodesLeft: 10,
    });
    const app = await client.trpc.appPasswords.generate.mutate({ label: 'Mail' });

    // A second device: password first, then the code as a second step.
    const phone = createHttpTestClient(t.sidekey, '192.0.2.77');
    expect(await phone.trpc.auth.signIn.mutate({ email, password })).toEqual({
      status: 'two_factor_required',
    });
    expect(phone.cookie).toBeNull();
    expect(
      await trpcErrorOf(phone.trpc.auth.signIn.mutate({ email, password, code: '000000' })),
    ).toMatchObject({ status: 401, reason: 'invalid_code' });
    expect(
      await phone.trpc.auth.signIn.mutate({ email, password, code: recovery[0]! }),
    ).toMatchObject({ status: 'signed_in' });
    expect(phone.cookie).not.toBeNull();

    expect(await client.trpc.twoFactor.disable.mutate()).toEqual({ revokedAppPasswords: 1 });
    expect(
      await t.sidekey.verify({ username: email, password: app.password, service: 'imap' }),
    ).toEqual({ ok: false, reason: 'revoked' });
    expect(await client.trpc.auth.session.query()).toMatchObject({ twoFactorEnabled: false });
  });

  it('needs a recent re-authentication (password and code) to begin, disable or regenerate', async () => {
    const { client, password } = await signedUpClient();
    const offer = await client.trpc.twoFactor.beginEnrollment.mutate();
    const codes = totpCodeSource(offer.secret, () => t.clock.now);
    await client.trpc.twoFactor.confirmEnrollment.mutate({ code: codes.next() });
    t.clock.advance(6 * 60_000);
    const before = await rowCounts();
    for (const call of [
      () => client.trpc.twoFactor.disable.mutate(),
      () => client.trpc.twoFactor.regenerateRecoveryCodes.mutate(),
      () => client.trpc.twoFactor.beginEnrollment.mutate(),
    ]) {
      expect(await trpcErrorOf(call())).toMatchObject({
        status: 403,
        reason: 'reauthentication_required',
      });
    }
    expect(await rowCounts()).toEqual(before);
    expect(await trpcErrorOf(client.trpc.auth.reauthenticate.mutate({ password }))).toMatchObject({
      status: 401,
      reason: 'two_factor_required',
    });
    await client.trpc.auth.reauthenticate.mutate({ password, code: codes.next() });
    expect(
      (await client.trpc.twoFactor.regenerateRecoveryCodes.mutate()).recoveryCodes,
    ).toHaveLength(10);
  });

  it('is closed to anyone signed out', async () => {
    const anonymous = createHttpTestClient(t.sidekey);
    for (const call of [
      () => anonymous.trpc.twoFactor.beginEnrollment.mutate(),
      () => anonymous.trpc.twoFactor.confirmEnrollment.mutate({ code: '123456' }),
      () => anonymous.trpc.twoFactor.disable.mutate(),
      () => anonymous.trpc.twoFactor.regenerateRecoveryCodes.mutate(),
      () => anonymous.trpc.twoFactor.status.query(),
    ]) {
      expect(await trpcErrorOf(call())).toMatchObject({ status: 401 });
    }
  });

  const badCalls: Array<[string, string | undefined, RegExp]> = [
    ['twoFactor.confirmEnrollment', JSON.stringify({ json: {} }), /code/i],
    ['twoFactor.confirmEnrollment', JSON.stringify({ json: { code: 123456 } }), /code/i],
    ['twoFactor.confirmEnrollment', JSON.stringify({ json: { code: '' } }), /code/i],
    [
      'twoFactor.confirmEnrollment',
      JSON.stringify({ json: { code: '9'.repeat(100) } }),
      /too long/,
    ],
    [
      'twoFactor.confirmEnrollment',
      JSON.stringify({ json: { code: '123456' } }),
      /Start setting up/,
    ],
    [
      'auth.signIn',
      JSON.stringify({ json: { email: 'a@b.co', password: 'x', code: ['1'] } }),
      /code/i,
    ],
  ];
  it.each(badCalls)(
    'bad input %s %s: a clear 4xx, nothing written',
    async (path, body, message) => {
      const { client } = await signedUpClient();
      const before = await rowCounts();
      const response = await client.raw(path, body);
      expect(response.status, response.text).toBeGreaterThanOrEqual(400);
      expect(response.status, response.text).toBeLessThan(500);
      const error = (response.json as { error?: { json?: { message?: string } } })?.error?.json;
      expect(error?.message).toMatch(message);
      expect(response.text).not.toMatch(/stack|at .*\.ts:\d+|node_modules/);
      expect(await rowCounts()).toEqual(before);
    },
  );
});
