import { connectLinks } from '@sidekey/db';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestSidekey, signUpOwner, type TestSidekey } from '../testing.ts';
import { CONNECT_LINK_TTL_MS } from './links.ts';

let t: TestSidekey;
beforeEach(async () => {
  t = await createTestSidekey();
});
afterEach(async () => {
  await t.dispose();
});

async function ownerWithPassword() {
  const owner = await signUpOwner(t.sidekey);
  const generated = await t.sidekey.appPasswords.generate(
    owner.accountId,
    { label: 'Phone', scopes: ['mail', 'contacts'] },
    { actor: 'owner' },
  );
  return { owner, generated };
}

describe('links that carry a new app password to the phone', () => {
  it('works once, and keeps neither the token nor the password in clear', async () => {
    const { owner, generated } = await ownerWithPassword();
    const { token, expiresAt } = await t.sidekey.connectLinks.create({
      accountId: owner.accountId,
      credentialId: generated.id,
      password: generated.password,
    });
    expect(expiresAt.getTime() - t.clock.now.getTime()).toBe(CONNECT_LINK_TTL_MS);
    const stored = JSON.stringify(await t.database.db.select().from(connectLinks));
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(generated.password);

    expect(await t.sidekey.connectLinks.redeem(token)).toEqual({
      credentialId: generated.id,
      email: owner.email,
      label: 'Phone',
      scopes: ['mail', 'contacts'],
      password: generated.password,
    });
    expect(await t.sidekey.connectLinks.redeem(token)).toBeNull();
    expect(await t.database.db.select().from(connectLinks)).toEqual([]);
  });

  it('refuses a late use, and deletes the row it refused', async () => {
    const { owner, generated } = await ownerWithPassword();
    const { token } = await t.sidekey.connectLinks.create({
      accountId: owner.accountId,
      credentialId: generated.id,
      password: generated.password,
    });
    t.clock.advance(CONNECT_LINK_TTL_MS + 1);
    expect(await t.sidekey.connectLinks.redeem(token)).toBeNull();
    expect(await t.database.db.select().from(connectLinks)).toEqual([]);
  });

  it('refuses a link whose password was removed meanwhile, and a made-up token', async () => {
    const { owner, generated } = await ownerWithPassword();
    const { token } = await t.sidekey.connectLinks.create({
      accountId: owner.accountId,
      credentialId: generated.id,
      password: generated.password,
    });
    await t.sidekey.appPasswords.revoke(owner.accountId, generated.id, { actor: 'owner' });
    expect(await t.sidekey.connectLinks.redeem(token)).toBeNull();
    expect(await t.sidekey.connectLinks.redeem('x'.repeat(43))).toBeNull();
    expect(await t.sidekey.connectLinks.redeem('../../etc')).toBeNull();
  });

  it('is pruned once expired', async () => {
    const { owner, generated } = await ownerWithPassword();
    await t.sidekey.connectLinks.create({
      accountId: owner.accountId,
      credentialId: generated.id,
      password: generated.password,
    });
    expect((await t.sidekey.prune()).connectLinks).toBe(0);
    t.clock.advance(CONNECT_LINK_TTL_MS + 1);
    expect((await t.sidekey.prune()).connectLinks).toBe(1);
  });
});
