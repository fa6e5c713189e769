import { createDb } from '@sidekey/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../logger.ts';
import { serverKeys } from '../secrets/server-keys.ts';
import { createSidekey } from '../sidekey.ts';
import { createTestSidekey, signUpOwner, TEST_SECRET, type TestSidekey } from '../testing.ts';

let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey();
});
afterAll(() => t.dispose());

const owner = { actor: 'owner' as const };
const imap = { service: 'imap' as const, address: '203.0.113.9', userAgent: 'Thunderbird' };

async function ownerWithPassword(
  options: { scopes?: ('mail' | 'contacts' | 'calendars' | 'files')[] } = {},
) {
  const account = await signUpOwner(t.sidekey);
  const generated = await t.sidekey.appPasswords.generate(
    account.accountId,
    { label: 'Mail app', ...options },
    owner,
  );
  return { ...account, generated };
}

describe('verify', () => {
  it('accepts the right password, moves pending → active and records the first use', async () => {
    const { email, accountId, generated } = await ownerWithPassword();
    const result = await t.sidekey.verify({
      username: email,
      password: generated.password,
      ...imap,
    });
    expect(result).toEqual({
      ok: true,
      accountId,
      credentialId: generated.id,
      username: email,
      scopes: generated.scopes,
    });
    const [listed] = await t.sidekey.appPasswords.list(accountId);
    expect(listed).toMatchObject({
      state: 'active',
      lastUsedService: 'imap',
      lastUsedAddress: '203.0.113.9',
    });
    expect(listed!.firstUsedAt).toEqual(t.clock.now);
  });

  it('accepts the password as people type it: upper case, spaces, no prefix, username in any case', async () => {
    const { email, generated } = await ownerWithPassword();
    const typed = generated.password.toUpperCase().split('-').slice(1).join(' ');
    expect(
      await t.sidekey.verify({ username: ` ${email.toUpperCase()} `, password: typed, ...imap }),
    ).toMatchObject({ ok: true });
  });

  it('refuses a wrong password, another account, malformed input and a bad checksum as invalid', async () => {
    const alice = await ownerWithPassword();
    const bob = await ownerWithPassword();
    const wrongButWellFormed = (
      await t.sidekey.appPasswords.generate(alice.accountId, { label: 'x' }, owner)
    ).password;
    await t.sidekey.appPasswords.revokeAll(alice.accountId, owner);
    const fresh = await t.sidekey.appPasswords.generate(alice.accountId, { label: 'live' }, owner);
    const lastSymbol = fresh.password.at(-1) === 'a' ? 'b' : 'a';
    for (const [username, password] of [
      [alice.email, wrongButWellFormed.slice(0, 10) + fresh.password.slice(10)], // well-formed prefix, wrong body
      [alice.email, bob.generated.password], // someone else's password
      [bob.email, fresh.password], // someone else's username
      ['nobody@example.org', fresh.password], // unknown user
      [alice.email, 'hunter2'], // malformed
      [alice.email, fresh.password.slice(0, -1) + lastSymbol], // bad checksum
      ['not an email', fresh.password],
      [alice.email, ''],
    ] as const) {
      expect(await t.sidekey.verify({ username, password, ...imap })).toEqual({
        ok: false,
        reason: 'invalid',
      });
    }
  });

  it('never verifies a revoked password again', async () => {
    const { email, accountId, generated } = await ownerWithPassword();
    expect(
      await t.sidekey.verify({ username: email, password: generated.password, ...imap }),
    ).toMatchObject({ ok: true });
    await t.sidekey.appPasswords.revoke(accountId, generated.id, owner);
    for (let i = 0; i < 3; i++) {
      expect(
        await t.sidekey.verify({ username: email, password: generated.password, ...imap }),
      ).toEqual({
        ok: false,
        reason: 'revoked',
      });
    }
    expect((await t.sidekey.appPasswords.list(accountId))[0]!.state).toBe('revoked');
  });

  it('expires a password at its expiry time', async () => {
    const account = await signUpOwner(t.sidekey);
    const expiresAt = new Date(t.clock.now.getTime() + 5_000);
    const generated = await t.sidekey.appPasswords.generate(
      account.accountId,
      { label: 'Short', expiresAt },
      owner,
    );
    const login = () =>
      t.sidekey.verify({ username: account.email, password: generated.password, ...imap });
    expect(await login()).toMatchObject({ ok: true });
    t.clock.advance(5_000);
    expect(await login()).toEqual({ ok: false, reason: 'expired' });
    expect(await login()).toEqual({ ok: false, reason: 'expired' });
    expect((await t.sidekey.appPasswords.list(account.accountId))[0]).toMatchObject({
      state: 'revoked',
      revokeReason: 'expired',
    });
  });

  it('refuses a service outside the scopes and shows the attempt in the history', async () => {
    const { email, accountId, generated } = await ownerWithPassword({ scopes: ['contacts'] });
    expect(
      await t.sidekey.verify({ username: email, password: generated.password, ...imap }),
    ).toEqual({
      ok: false,
      reason: 'scope_denied',
    });
    expect(
      await t.sidekey.verify({
        username: email,
        password: generated.password,
        ...imap,
        service: 'carddav',
      }),
    ).toMatchObject({
      ok: true,
    });
    const history = await t.sidekey.appPasswords.history(accountId, generated.id);
    expect(history.map((e) => e.action)).toEqual(['GENERATE', 'scope_denied', 'USE']);
    expect(history[1]).toMatchObject({ service: 'imap', address: '203.0.113.9' });
  });

  it('a revocation racing many verifications: after it commits, nothing verifies', async () => {
    const { email, accountId, generated } = await ownerWithPassword();
    const logins = Array.from({ length: 20 }, () =>
      t.sidekey.verify({ username: email, password: generated.password, ...imap }),
    );
    const revocation = t.sidekey.appPasswords.revoke(accountId, generated.id, owner);
    await Promise.all([...logins, revocation]);
    expect(
      await t.sidekey.verify({ username: email, password: generated.password, ...imap }),
    ).toEqual({
      ok: false,
      reason: 'revoked',
    });
  });

  it('still verifies passwords hashed under a previous server secret after rotation', async () => {
    const { email, generated } = await ownerWithPassword();
    const rotated = createSidekey({
      database: t.database,
      keys: serverKeys('a-brand-new-server-secret-0123456789abcdef', [TEST_SECRET]),
      logger: createMemoryLogger().logger,
    });
    expect(
      await rotated.verify({ username: email, password: generated.password, ...imap }),
    ).toMatchObject({ ok: true });
    const withoutOldKey = createSidekey({
      database: t.database,
      keys: serverKeys('a-brand-new-server-secret-0123456789abcdef'),
      logger: createMemoryLogger().logger,
    });
    expect(
      await withoutOldKey.verify({ username: email, password: generated.password, ...imap }),
    ).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('refuses malformed input and bad checksums before touching the database', async () => {
    const closed = await createDb();
    await closed.close();
    const offline = createSidekey({
      database: closed,
      keys: serverKeys(TEST_SECRET),
      logger: createMemoryLogger().logger,
    });
    const { email, generated } = await ownerWithPassword();
    const typo = generated.password.slice(0, -1) + (generated.password.endsWith('a') ? 'b' : 'a');
    // A query on a closed database throws; these answer without one.
    expect(await offline.verify({ username: email, password: typo, ...imap })).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(
      await offline.verify({ username: email, password: 'x'.repeat(100_000), ...imap }),
    ).toEqual({ ok: false, reason: 'invalid' });
    await expect(
      offline.verify({ username: email, password: generated.password, ...imap }),
    ).rejects.toThrow();
  });

  it('never writes a secret to the log', async () => {
    const { email, generated } = await ownerWithPassword();
    await t.sidekey.verify({ username: email, password: generated.password, ...imap });
    await t.sidekey.verify({
      username: email,
      password: generated.password.replace(/.$/, 'z'),
      ...imap,
    });
    const logged = t.logLines.join('\n');
    expect(t.logLines.length).toBeGreaterThan(0);
    expect(logged).not.toContain(generated.password);
    expect(logged).not.toContain(generated.password.split('-').slice(1).join(''));
  });
});
