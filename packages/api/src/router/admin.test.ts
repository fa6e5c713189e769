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
