import { appPasswords, auditEvents } from '@sidekey/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSidekey, signUpOwner, type TestSidekey } from '../testing.ts';
import { parseAppPassword } from './format.ts';
import { MAX_ACTIVE_APP_PASSWORDS } from './app-passwords.ts';

let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey();
});
afterAll(() => t.dispose());

const owner = { actor: 'owner' as const, address: '198.51.100.7', userAgent: 'test' };

async function countRows() {
  const { db } = t.database;
  return { credentials: await db.$count(appPasswords), events: await db.$count(auditEvents) };
}

describe('generate', () => {
  it('returns the secret once, in the documented format, and stores only its keyed hash', async () => {
    const { accountId } = await signUpOwner(t.sidekey);
    const generated = await t.sidekey.appPasswords.generate(
      accountId,
      { label: '  Thunderbird   on laptop ' },
      owner,
    );
    expect(generated.password).toMatch(/^skap(-[a-z2-9]{5}){6}$/);
    expect(generated).toMatchObject({
      label: 'Thunderbird on laptop',
      state: 'pending',
      scopes: ['mail', 'contacts', 'calendars'],
    });

    const listed = await t.sidekey.appPasswords.list(accountId);
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(generated.password);
    expect(listed[0]).not.toHaveProperty('password');
    expect(listed[0]).not.toHaveProperty('lookupHash');

    // Neither the displayed nor the canonical form is anywhere in the database.
    const canonical = (parseAppPassword(generated.password) as { canonical: string }).canonical;
    const dump = JSON.stringify([
      await t.database.db.select().from(appPasswords),
      await t.database.db.select().from(auditEvents),
    ]);
    expect(dump).not.toContain(canonical);
    expect(dump).not.toContain(generated.password);
    expect(t.logLines.join('\n')).not.toContain(canonical);
  });

  it('refuses bad labels and scopes with a clear error and writes nothing', async () => {
    const { accountId } = await signUpOwner(t.sidekey);
    const before = await countRows();
    const attempts: Array<[Parameters<typeof t.sidekey.appPasswords.generate>[1], RegExp]> = [
      [{ label: '' }, /label/],
      [{ label: '   ' }, /label/],
      [{ label: 'x'.repeat(10_000) }, /at most 64/],
      [{ label: 'bell\u0007' }, /control characters/],
      [{ label: 'ok', scopes: [] }, /at least one scope/],
      [{ label: 'ok', scopes: ['root' as 'mail'] }, /Unknown scope: root/],
      [{ label: 'ok', expiresAt: new Date(t.clock.now.getTime() - 1000) }, /future/],
    ];
    for (const [input, message] of attempts) {
      await expect(t.sidekey.appPasswords.generate(accountId, input, owner)).rejects.toMatchObject({
        code: 'BAD_REQUEST',
        message: expect.stringMatching(message),
      });
    }
    expect(await countRows()).toEqual(before);
  });

  it('refuses Unicode format characters (bidi controls, zero-width, BOM) that could spoof a label', async () => {
    const { accountId } = await signUpOwner(t.sidekey);
    const before = await countRows();
    const spoofs = [
      'Thunderbird\u202Egnp.exe', // right-to-left override
      'Mail\u2066x\u2069', // bidi isolates
      'Ma\u200Bil', // zero-width space
      'Ma\u200Dil', // zero-width joiner
      '\uFEFFMail', // byte-order mark
      'Ma\u00ADil', // soft hyphen
    ];
    for (const label of spoofs) {
      await expect(
        t.sidekey.appPasswords.generate(accountId, { label }, owner),
      ).rejects.toMatchObject({
        code: 'BAD_REQUEST',
        reason: 'invalid_label',
        message: expect.stringMatching(/invisible formatting characters/),
      });
    }
    expect(await countRows()).toEqual(before);
  });

  it('stores labels NFC-normalised, so one name has one spelling', async () => {
    const { accountId } = await signUpOwner(t.sidekey);
    const made = await t.sidekey.appPasswords.generate(
      accountId,
      { label: 'Caf\u0065\u0301 laptop' },
      owner,
    );
    expect(made.label).toBe('Caf\u00e9 laptop');
  });

  it(`stops at ${MAX_ACTIVE_APP_PASSWORDS} live passwords and says why; revoking one frees a place`, async () => {
    const { accountId } = await signUpOwner(t.sidekey);
    const made = [];
    for (let i = 0; i < MAX_ACTIVE_APP_PASSWORDS; i++) {
      made.push(await t.sidekey.appPasswords.generate(accountId, { label: `app ${i}` }, owner));
    }
    await expect(
      t.sidekey.appPasswords.generate(accountId, { label: 'one too many' }, owner),
    ).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
      reason: 'limit_reached',
      message: expect.stringContaining('25'),
    });
    await t.sidekey.appPasswords.revoke(accountId, made[0]!.id, owner);
    await expect(
      t.sidekey.appPasswords.generate(accountId, { label: 'replacement' }, owner),
    ).resolves.toMatchObject({
      state: 'pending',
    });
  });

  it(`creates exactly ${MAX_ACTIVE_APP_PASSWORDS} of 60 concurrent requests`, async () => {
    const { accountId } = await signUpOwner(t.sidekey);
    const results = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) =>
        t.sidekey.appPasswords.generate(accountId, { label: `parallel ${i}` }, owner),
      ),
    );
    const created = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(created).toHaveLength(MAX_ACTIVE_APP_PASSWORDS);
    expect(refused).toHaveLength(60 - MAX_ACTIVE_APP_PASSWORDS);
    for (const r of refused)
      expect((r as PromiseRejectedResult).reason).toMatchObject({ reason: 'limit_reached' });
    expect(await t.sidekey.appPasswords.list(accountId)).toHaveLength(MAX_ACTIVE_APP_PASSWORDS);
  });

  it('gives one label to one live password, even to ten concurrent requests, and frees it on revoke', async () => {
    const { accountId } = await signUpOwner(t.sidekey);
    const first = await t.sidekey.appPasswords.generate(accountId, { label: 'Work mail' }, owner);
    const before = await countRows();
    await expect(
      t.sidekey.appPasswords.generate(accountId, { label: '  WORK   mail ' }, owner),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      reason: 'duplicate_label',
      message: expect.stringContaining('“WORK mail”'),
    });
    expect(await countRows()).toEqual(before);

    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        t.sidekey.appPasswords.generate(accountId, { label: 'Tablet' }, owner),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toMatchObject({ reason: 'duplicate_label' });

    await t.sidekey.appPasswords.revoke(accountId, first.id, owner);
    await expect(
      t.sidekey.appPasswords.generate(accountId, { label: 'Work mail' }, owner),
    ).resolves.toMatchObject({ label: 'Work mail', state: 'pending' });
  });
});

describe('revoke, revoke all, history', () => {
  it('revokes one, records who and why, and refuses to revoke it twice', async () => {
    const { accountId } = await signUpOwner(t.sidekey);
    const { id } = await t.sidekey.appPasswords.generate(accountId, { label: 'Phone' }, owner);
    const revoked = await t.sidekey.appPasswords.revoke(accountId, id, owner);
    expect(revoked).toMatchObject({ state: 'revoked', revokeReason: 'user' });
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    await expect(t.sidekey.appPasswords.revoke(accountId, id, owner)).rejects.toMatchObject({
      code: 'CONFLICT',
      reason: 'already_revoked',
    });

    const history = await t.sidekey.appPasswords.history(accountId, id);
    expect(history.map((e) => [e.action, e.fromState, e.toState, e.reason])).toEqual([
      ['GENERATE', 'new', 'pending', null],
      ['REVOKE', 'pending', 'revoked', 'user'],
    ]);
    expect(history[1]).toMatchObject({ actor: 'owner', address: '198.51.100.7' });
  });

  it('revokes all live passwords at once and leaves revoked ones as they were', async () => {
    const { accountId } = await signUpOwner(t.sidekey);
    const first = await t.sidekey.appPasswords.generate(accountId, { label: 'A' }, owner);
    await t.sidekey.appPasswords.generate(accountId, { label: 'B' }, owner);
    await t.sidekey.appPasswords.generate(accountId, { label: 'C' }, owner);
    await t.sidekey.appPasswords.revoke(accountId, first.id, owner);
    expect(await t.sidekey.appPasswords.revokeAll(accountId, owner)).toEqual({ revoked: 2 });
    const listed = await t.sidekey.appPasswords.list(accountId);
    expect(listed.map((p) => [p.label, p.state, p.revokeReason]).sort()).toEqual([
      ['A', 'revoked', 'user'],
      ['B', 'revoked', 'revoke_all'],
      ['C', 'revoked', 'revoke_all'],
    ]);
    expect(await t.sidekey.appPasswords.revokeAll(accountId, owner)).toEqual({ revoked: 0 });
  });

  it("answers NOT_FOUND for another account's credential and changes nothing", async () => {
    const alice = await signUpOwner(t.sidekey);
    const mallory = await signUpOwner(t.sidekey);
    const { id } = await t.sidekey.appPasswords.generate(
      alice.accountId,
      { label: 'Alice mail' },
      owner,
    );
    for (const attempt of [
      () => t.sidekey.appPasswords.revoke(mallory.accountId, id, owner),
      () => t.sidekey.appPasswords.history(mallory.accountId, id),
    ]) {
      await expect(attempt()).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: 'App password not found.',
      });
    }
    const unknown = '00000000-0000-4000-8000-000000000000';
    await expect(
      t.sidekey.appPasswords.revoke(alice.accountId, unknown, owner),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'App password not found.',
    });
    expect((await t.sidekey.appPasswords.list(alice.accountId))[0]!.state).toBe('pending');
  });

  it('lets exactly one of many concurrent revocations win', async () => {
    const { accountId } = await signUpOwner(t.sidekey);
    const { id } = await t.sidekey.appPasswords.generate(accountId, { label: 'Raced' }, owner);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => t.sidekey.appPasswords.revoke(accountId, id, owner)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const history = await t.sidekey.appPasswords.history(accountId, id);
    expect(history.filter((e) => e.action === 'REVOKE')).toHaveLength(1);
  });

  it('expires a password once its time has passed, counting it as revoked', async () => {
    const { accountId } = await signUpOwner(t.sidekey);
    const expiresAt = new Date(t.clock.now.getTime() + 60_000);
    const { id } = await t.sidekey.appPasswords.generate(
      accountId,
      { label: 'Temporary', expiresAt },
      owner,
    );
    expect((await t.sidekey.appPasswords.list(accountId))[0]!.state).toBe('pending');
    t.clock.advance(60_000);
    const [listed] = await t.sidekey.appPasswords.list(accountId);
    expect(listed).toMatchObject({ id, state: 'revoked', revokeReason: 'expired' });
    const history = await t.sidekey.appPasswords.history(accountId, id);
    expect(history.at(-1)).toMatchObject({ action: 'EXPIRE', actor: 'system', reason: 'expired' });
  });
});
