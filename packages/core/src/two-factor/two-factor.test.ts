import { accounts, appPasswords, auditEvents, recoveryCodes } from '@sidekey/db';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSidekey, signUpOwner, totpCodeSource, type TestSidekey } from '../testing.ts';
import { totpCodeAt, totpStep } from './totp.ts';

let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey();
});
afterAll(() => t.dispose());

const owner = { actor: 'owner' as const, address: '198.51.100.7', userAgent: 'test' };

async function accountRow(id: string) {
  const [row] = await t.database.db.select().from(accounts).where(eq(accounts.id, id));
  return row!;
}

describe('enrolment', () => {
  it('offers a secret, otpauth URI and QR code; a correct code turns it on with ten recovery codes', async () => {
    const o = await signUpOwner(t.sidekey, 'enrol@example.org', { twoFactor: false });
    const offer = await t.sidekey.twoFactor.beginEnrollment(o.accountId, owner);
    expect(offer.secret).toMatch(/^[A-Z2-7]{32}$/); // 160 bits, base32
    expect(offer.otpauthUri).toMatch(/^otpauth:\/\/totp\/Sidekey:enrol%40example\.org\?/);
    expect(new URL(offer.otpauthUri).searchParams.get('secret')).toBe(offer.secret);
    expect(offer.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);

    // Not on yet, and the secret is stored sealed only — never in clear.
    let row = await accountRow(o.accountId);
    expect(row.totpEnabledAt).toBeNull();
    expect(row.totpPendingSecretSealed).toMatch(/^s1\./);
    expect(JSON.stringify(row)).not.toContain(offer.secret);

    await expect(
      t.sidekey.twoFactor.confirmEnrollment(o.accountId, { code: '123456' }, owner),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST', reason: 'invalid_code' });
    const code = totpCodeSource(offer.secret, () => t.clock.now).next();
    const { recoveryCodes: codes } = await t.sidekey.twoFactor.confirmEnrollment(
      o.accountId,
      { code },
      owner,
    );
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);

    row = await accountRow(o.accountId);
    expect(row.totpEnabledAt).not.toBeNull();
    expect(row.totpPendingSecretSealed).toBeNull();
    expect(row.totpSecretSealed).toMatch(/^s1\./);
    expect(JSON.stringify(row)).not.toContain(offer.secret);
    // The enrolment code's step is used: it cannot sign in afterwards.
    await expect(
      t.sidekey.accounts.signIn({ email: o.email, password: o.password, code }, owner),
    ).rejects.toMatchObject({ reason: 'invalid_code' });
    expect(t.logLines.join('\n')).not.toContain(offer.secret);
    expect((await t.sidekey.activity(o.accountId)).map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'two_factor_enabled',
        'two_factor_enrollment_started',
        'sign_in_failed',
      ]),
    );
  });

  it('refuses to confirm before begin, and to begin or confirm again once on', async () => {
    const fresh = await signUpOwner(t.sidekey, undefined, { twoFactor: false });
    await expect(
      t.sidekey.twoFactor.confirmEnrollment(fresh.accountId, { code: '123456' }, owner),
    ).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', reason: 'enrollment_not_started' });
    const on = await signUpOwner(t.sidekey);
    await expect(t.sidekey.twoFactor.beginEnrollment(on.accountId, owner)).rejects.toMatchObject({
      code: 'CONFLICT',
      reason: 'two_factor_already_enabled',
    });
    const before = await accountRow(on.accountId);
    await expect(
      t.sidekey.twoFactor.confirmEnrollment(on.accountId, { code: on.totpCode() }, owner),
    ).rejects.toMatchObject({ reason: 'two_factor_already_enabled' });
    expect(await accountRow(on.accountId)).toEqual(before);
  });

  it('accepts a code one step either side (RFC 6238 §5.2), not two', async () => {
    const o = await signUpOwner(t.sidekey, undefined, { twoFactor: false });
    const { secret } = await t.sidekey.twoFactor.beginEnrollment(o.accountId, owner);
    const key = decodeBase32IgnorePadding(secret);
    const step = totpStep(t.clock.now);
    await expect(
      t.sidekey.twoFactor.confirmEnrollment(
        o.accountId,
        { code: totpCodeAt(key, step + 2) },
        owner,
      ),
    ).rejects.toMatchObject({ reason: 'invalid_code' });
    await expect(
      t.sidekey.twoFactor.confirmEnrollment(
        o.accountId,
        { code: totpCodeAt(key, step - 1) },
        owner,
      ),
    ).resolves.toMatchObject({ recoveryCodes: expect.any(Array) });
  });
});

describe('disable', () => {
  it('turns two-factor off and revokes every app password in the same transaction', async () => {
    const o = await signUpOwner(t.sidekey);
    const app = await t.sidekey.appPasswords.generate(o.accountId, { label: 'Mail' }, owner);
    await t.sidekey.appPasswords.generate(o.accountId, { label: 'Calendar' }, owner);
    expect(await t.sidekey.twoFactor.disable(o.accountId, owner)).toEqual({
      revokedAppPasswords: 2,
    });

    expect(
      await t.sidekey.verify({ username: o.email, password: app.password, service: 'imap' }),
    ).toEqual({ ok: false, reason: 'revoked' });
    const row = await accountRow(o.accountId);
    expect([row.totpSecretSealed, row.totpEnabledAt, row.totpLastStep]).toEqual([null, null, null]);
    expect(
      await t.database.db.$count(recoveryCodes, eq(recoveryCodes.accountId, o.accountId)),
    ).toBe(0);
    // Without two-factor, password alone signs in again, and generate is refused.
    expect(
      await t.sidekey.accounts.signIn({ email: o.email, password: o.password }, owner),
    ).toMatchObject({ status: 'signed_in' });
    await expect(
      t.sidekey.appPasswords.generate(o.accountId, { label: 'again' }, owner),
    ).rejects.toMatchObject({ reason: 'two_factor_required' });
    await t.sidekey.mailer.settled();
    const [notice] = await t.sidekey.mailer.list({ limit: 1 });
    expect(notice).toMatchObject({
      recipient: o.email,
      subject: 'Sidekey: two-factor authentication was turned off',
    });
    expect(notice!.body).toContain('2 app passwords were revoked');
  });

  it('says so when two-factor is already off, and changes nothing', async () => {
    const o = await signUpOwner(t.sidekey, undefined, { twoFactor: false });
    const events = await t.database.db.$count(auditEvents);
    await expect(t.sidekey.twoFactor.disable(o.accountId, owner)).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
      reason: 'two_factor_not_enabled',
    });
    expect(await t.database.db.$count(auditEvents)).toBe(events);
  });

  it('cannot race a generate: a credential never outlives the two-factor it needed', async () => {
    const o = await signUpOwner(t.sidekey);
    await Promise.allSettled([
      ...[1, 2, 3].map((i) =>
        t.sidekey.appPasswords.generate(o.accountId, { label: `race ${i}` }, owner),
      ),
      t.sidekey.twoFactor.disable(o.accountId, owner),
    ]);
    const live = await t.database.db
      .select()
      .from(appPasswords)
      .where(eq(appPasswords.accountId, o.accountId));
    expect(live.filter((p) => p.state !== 'revoked')).toEqual([]);
  });
});

describe('recovery codes', () => {
  it('regenerating replaces every earlier code', async () => {
    const o = await signUpOwner(t.sidekey);
    const { recoveryCodes: fresh } = await t.sidekey.twoFactor.regenerateRecoveryCodes(
      o.accountId,
      owner,
    );
    expect(fresh).toHaveLength(10);
    const signIn = (code: string) =>
      t.sidekey.accounts.signIn({ email: o.email, password: o.password, code }, owner);
    await expect(signIn(o.recoveryCodes[0]!)).rejects.toMatchObject({ reason: 'invalid_code' });
    await expect(signIn(fresh[0]!)).resolves.toMatchObject({ status: 'signed_in' });
  });
});
