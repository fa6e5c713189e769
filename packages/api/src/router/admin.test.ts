import { createTestSidekey, type TestSidekey } from '@sidekey/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTestClient, signUpOverHttp, trpcErrorOf } from '../testing.ts';

let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey();
});
afterAll(() => t.dispose());

const signedInClient = async (role: 'owner' | 'admin') =>
  (await signUpOverHttp(t.sidekey, { role, twoFactor: false })).client;

describe('admin.services', () => {
  it('an admin creates a service (key shown once), lists it and revokes it', async () => {
    const admin = await signedInClient('admin');
    const created = await admin.trpc.admin.services.create.mutate({ name: 'dovecot' });
    expect(created.key).toMatch(/^sksvc_/);
    expect(await t.sidekey.serviceKeys.authenticate(created.key)).toEqual({
      id: created.id,
      name: 'dovecot',
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
      await trpcErrorOf(owner.trpc.admin.services.create.mutate({ name: 'sneaky' })),
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
      await trpcErrorOf(admin.trpc.admin.services.create.mutate({ name: 'bad\nname' })),
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
  });
});

describe('admin.appPasswords.revoke', () => {
  it('an admin, recently re-authenticated, revokes an owner’s app password: reason admin, audited with the admin as actor', async () => {
    const owner = await signUpOverHttp(t.sidekey);
    const generated = await owner.client.trpc.appPasswords.generate.mutate({
      label: 'Leaked phone',
    });
    const admin = await signUpOverHttp(t.sidekey, { role: 'admin', twoFactor: false });

    // More than five minutes after signing in, the password is asked for again.
    t.clock.advance(6 * 60_000);
    expect(
      await trpcErrorOf(admin.client.trpc.admin.appPasswords.revoke.mutate({ id: generated.id })),
    ).toMatchObject({ code: 'FORBIDDEN', reason: 'reauthentication_required' });
    await admin.client.trpc.auth.reauthenticate.mutate({ password: admin.password });

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
