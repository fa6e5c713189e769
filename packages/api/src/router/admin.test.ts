import { createTestSidekey, type TestSidekey } from '@sidekey/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTestClient, signUpOverHttp, trpcErrorOf } from '../testing.ts';

let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey();
});
afterAll(() => t.dispose());

const signedInClient = async (role: 'owner' | 'admin') =>
  (await signUpOverHttp(t.sidekey, { role, twoFactor: role === 'admin' })).client;
const mail = ['imap', 'pop3', 'smtp'] as const;

describe('admin.services', () => {
  it('an admin creates a service (key shown once), lists it and revokes it', async () => {
    const admin = await signedInClient('admin');
    const created = await admin.trpc.admin.services.create.mutate({
      name: 'dovecot',
      services: [...mail],
    });
    expect(created.key).toMatch(/^sksvc_/);
    expect(await t.sidekey.serviceKeys.authenticate(created.key)).toEqual({
      id: created.id,
      name: 'dovecot',
      protocols: ['imap', 'pop3', 'smtp'],
    });
    const listed = await admin.trpc.admin.services.list.query();
    expect(listed).toEqual([
      expect.objectContaining({ id: created.id, name: 'dovecot', revokedAt: null }),
    ]);
    expect(JSON.stringify(listed)).not.toContain(created.key);

    const revoked = await admin.trpc.admin.services.revoke.mutate({ id: created.id });
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect(await t.sidekey.serviceKeys.authenticate(created.key)).toBeNull();
    expect(
      await trpcErrorOf(admin.trpc.admin.services.revoke.mutate({ id: created.id })),
    ).toMatchObject({
      code: 'CONFLICT',
      reason: 'already_revoked',
    });
  });

  it('an owner who is not an admin, and a signed-out caller, are refused and change nothing', async () => {
    const owner = await signedInClient('owner');
    const before = await t.sidekey.serviceKeys.list();
    expect(
      await trpcErrorOf(
        owner.trpc.admin.services.create.mutate({ name: 'sneaky', services: [...mail] }),
      ),
    ).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'admin_required',
    });
    expect(await trpcErrorOf(owner.trpc.admin.services.list.query())).toMatchObject({
      code: 'FORBIDDEN',
    });
    const anonymous = createHttpTestClient(t.sidekey);
    expect(await trpcErrorOf(anonymous.trpc.admin.services.list.query())).toMatchObject({
      code: 'UNAUTHORIZED',
    });
    expect(await t.sidekey.serviceKeys.list()).toEqual(before);
  });

  it('bad input gets a clear 4xx', async () => {
    const admin = await signedInClient('admin');
    expect(
      await trpcErrorOf(
        admin.trpc.admin.services.create.mutate({ name: 'bad\nname', services: [...mail] }),
      ),
    ).toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'invalid_name',
    });
    expect(
      await trpcErrorOf(admin.trpc.admin.services.revoke.mutate({ id: 'not-a-uuid' })),
    ).toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'invalid_input',
    });
    const raw = await admin.raw('admin.services.create', '{"json":{"name":42}}');
    expect(raw.status).toBe(400);
    // A key must say what it may verify.
    const unbound = await admin.raw('admin.services.create', '{"json":{"name":"any"}}');
    expect(unbound.status).toBe(400);
    expect(
      await trpcErrorOf(
        admin.trpc.admin.services.create.mutate({ name: 'gopher', services: ['gopher' as 'imap'] }),
      ),
    ).toMatchObject({ code: 'BAD_REQUEST' });
    expect((await t.sidekey.serviceKeys.list()).map((key) => key.name)).not.toContain('any');
  });

  it('an admin without two-factor is refused, with a reason that says so', async () => {
    const { client } = await signUpOverHttp(t.sidekey, { role: 'admin', twoFactor: false });
    const before = await t.sidekey.serviceKeys.list();
    for (const call of [
      () => client.trpc.admin.services.list.query(),
      () => client.trpc.admin.services.create.mutate({ name: 'no-2fa', services: [...mail] }),
    ]) {
      expect(await trpcErrorOf(call())).toMatchObject({
        code: 'FORBIDDEN',
        reason: 'admin_two_factor_required',
        message: expect.stringMatching(/two-factor/),
      });
    }
    expect(await t.sidekey.serviceKeys.list()).toEqual(before);
  });

  it('creating and revoking keys needs a recent re-authentication', async () => {
    const { client, password, totpCode } = await signUpOverHttp(t.sidekey, { role: 'admin' });
    const made = await client.trpc.admin.services.create.mutate({
      name: 'stale-session',
      services: [...mail],
    });
    t.clock.advance(6 * 60_000);
    const before = await t.sidekey.serviceKeys.list();
    for (const call of [
      () => client.trpc.admin.services.create.mutate({ name: 'later', services: [...mail] }),
      () => client.trpc.admin.services.revoke.mutate({ id: made.id }),
    ]) {
      expect(await trpcErrorOf(call())).toMatchObject({
        code: 'FORBIDDEN',
        reason: 'reauthentication_required',
      });
    }
    expect(await t.sidekey.serviceKeys.list()).toEqual(before);
    await client.trpc.auth.reauthenticate.mutate({ password, code: totpCode() });
    await expect(client.trpc.admin.services.revoke.mutate({ id: made.id })).resolves.toMatchObject({
      id: made.id,
    });
  });
});

describe('admin.appPasswords.revoke', () => {
  it('an admin, recently re-authenticated, revokes an owner’s app password: reason admin, audited with the admin as actor', async () => {
    const owner = await signUpOverHttp(t.sidekey);
    const generated = await owner.client.trpc.appPasswords.generate.mutate({
      label: 'Leaked phone',
    });
    const admin = await signUpOverHttp(t.sidekey, { role: 'admin' });

    // More than five minutes after signing in, the password (and a code) is asked for again.
    t.clock.advance(6 * 60_000);
    expect(
      await trpcErrorOf(admin.client.trpc.admin.appPasswords.revoke.mutate({ id: generated.id })),
    ).toMatchObject({ code: 'FORBIDDEN', reason: 'reauthentication_required' });
    await admin.client.trpc.auth.reauthenticate.mutate({
      password: admin.password,
      code: admin.totpCode(),
    });

    const revoked = await admin.client.trpc.admin.appPasswords.revoke.mutate({ id: generated.id });
    expect(revoked).toMatchObject({ id: generated.id, state: 'revoked', revokeReason: 'admin' });
    expect(
      await t.sidekey.verify({
        username: owner.email,
        password: generated.password,
        service: 'imap',
      }),
    ).toEqual({ ok: false, reason: 'revoked' });
    const history = await t.sidekey.appPasswords.history(revoked.accountId, generated.id);
    expect(history.at(-1)).toMatchObject({ actor: 'admin', toState: 'revoked', reason: 'admin' });

    expect(
      await trpcErrorOf(admin.client.trpc.admin.appPasswords.revoke.mutate({ id: generated.id })),
    ).toMatchObject({ code: 'CONFLICT', reason: 'already_revoked' });
  });

  it('an owner cannot use it, even on their own password', async () => {
    const owner = await signUpOverHttp(t.sidekey);
    const generated = await owner.client.trpc.appPasswords.generate.mutate({ label: 'Mine' });
    expect(
      await trpcErrorOf(owner.client.trpc.admin.appPasswords.revoke.mutate({ id: generated.id })),
    ).toMatchObject({ code: 'FORBIDDEN', reason: 'admin_required' });
    const [listed] = await owner.client.trpc.appPasswords.list.query();
    expect(listed).toMatchObject({ state: 'pending' });
  });
});
