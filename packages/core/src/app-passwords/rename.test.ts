import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestSidekey, signUpOwner, type TestSidekey } from '../testing.ts';

let t: TestSidekey;
beforeEach(async () => {
  t = await createTestSidekey();
});
afterEach(async () => {
  await t.dispose();
});

describe('renaming an app password', () => {
  it('changes the label, keeps the password working, refuses a duplicate and a revoked one', async () => {
    const owner = await signUpOwner(t.sidekey);
    const meta = { actor: 'owner' } as const;
    const phone = await t.sidekey.appPasswords.generate(owner.accountId, { label: 'Phone' }, meta);
    const laptop = await t.sidekey.appPasswords.generate(
      owner.accountId,
      { label: 'Laptop' },
      meta,
    );

    const renamed = await t.sidekey.appPasswords.rename(
      owner.accountId,
      phone.id,
      ' Pixel  8 ',
      meta,
    );
    expect(renamed.label).toBe('Pixel 8');
    const verified = await t.sidekey.verify({
      username: owner.email,
      password: phone.password,
      service: 'imap',
    });
    expect(verified.ok).toBe(true);

    await expect(
      t.sidekey.appPasswords.rename(owner.accountId, laptop.id, 'pixel 8', meta),
    ).rejects.toMatchObject({ reason: 'duplicate_label' });
    await expect(
      t.sidekey.appPasswords.rename(owner.accountId, laptop.id, 'x'.repeat(65), meta),
    ).rejects.toMatchObject({ reason: 'invalid_label' });
    await t.sidekey.appPasswords.revoke(owner.accountId, laptop.id, meta);
    await expect(
      t.sidekey.appPasswords.rename(owner.accountId, laptop.id, 'Old laptop', meta),
    ).rejects.toMatchObject({ reason: 'already_revoked' });
    // A revoked password's label may be reused.
    await t.sidekey.appPasswords.rename(owner.accountId, phone.id, 'Laptop', meta);
    const activity = await t.sidekey.activity(owner.accountId);
    expect(activity.filter((event) => event.action === 'renamed')).toHaveLength(2);
  });
});
