import { appPasswords } from '@sidekey/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REVOCATION_CHANNEL, type RevocationNotice } from '../app-passwords/transition.ts';
import { createTestSidekey, signUpOwner, type TestSidekey } from '../testing.ts';

let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey({ verification: { cacheMs: 5_000 } });
});
afterAll(() => t.dispose());

const owner = { actor: 'owner' as const };

async function cacheHits(): Promise<number> {
  const metric = await t.sidekey.metrics.registry
    .getSingleMetric('sidekey_verification_cache_hits_total')!
    .get();
  return metric.values[0]?.value ?? 0;
}

async function loggedIn() {
  const account = await signUpOwner(t.sidekey);
  const generated = await t.sidekey.appPasswords.generate(
    account.accountId,
    { label: 'Phone' },
    owner,
  );
  const login = (service: 'imap' | 'carddav' | 'webdav' = 'imap') =>
    t.sidekey.verify({ username: account.email, password: generated.password, service });
  // The first success fills the cache once LISTEN is up.
  await expect.poll(async () => (await login()).ok && (await isCached(login))).toBe(true);
  return { ...account, generated, login };
}

async function isCached(login: () => Promise<unknown>) {
  const before = await cacheHits();
  await login();
  return (await cacheHits()) > before;
}

describe('the per-node verification cache', () => {
  it('answers a repeated success from memory, until the TTL ends', async () => {
    const { login } = await loggedIn();
    expect(await isCached(login)).toBe(true);
    t.clock.advance(5_001);
    expect(await isCached(login)).toBe(false); // from the database again (and cached anew)
    expect(await isCached(login)).toBe(true);
  });

  it('never answers from memory for another username or a service outside the scopes', async () => {
    const { email, accountId, generated, login } = await loggedIn();
    expect(
      await t.sidekey.verify({
        username: `x${email}`,
        password: generated.password,
        service: 'imap',
      }),
    ).toEqual({ ok: false, reason: 'invalid' });
    expect(await login('webdav')).toEqual({ ok: false, reason: 'scope_denied' });
    const history = await t.sidekey.appPasswords.history(accountId, generated.id);
    expect(history.map((e) => e.action)).toContain('scope_denied'); // audited, so not from cache
  });

  it('refuses an expired password even while its success is cached', async () => {
    const account = await signUpOwner(t.sidekey);
    const generated = await t.sidekey.appPasswords.generate(
      account.accountId,
      { label: 'Short', expiresAt: new Date(t.clock.now.getTime() + 3_000) },
      owner,
    );
    const login = () =>
      t.sidekey.verify({ username: account.email, password: generated.password, service: 'imap' });
    await expect.poll(async () => (await login()).ok && (await isCached(login))).toBe(true);
    t.clock.advance(3_000);
    expect(await login()).toEqual({ ok: false, reason: 'expired' });
  });

  it('a revocation in this process is refused at once', async () => {
    const { accountId, generated, login } = await loggedIn();
    await t.sidekey.appPasswords.revoke(accountId, generated.id, owner);
    expect(await login()).toEqual({ ok: false, reason: 'revoked' });
  });

  it('a revocation on another node arrives by NOTIFY and empties the entry', async () => {
    const { accountId, generated, login } = await loggedIn();
    // Another node revoked it: the row changed, and the notice is on its way.
    await t.database.db
      .update(appPasswords)
      .set({ state: 'revoked', revokedAt: t.clock.now, revokeReason: 'admin' })
      .where(eq(appPasswords.id, generated.id));
    expect(await login()).toMatchObject({ ok: true }); // the cache has not heard yet
    const notice: RevocationNotice = {
      eventId: 0,
      credentialId: generated.id,
      accountId,
      reason: 'admin',
    };
    await t.database.notify(REVOCATION_CHANNEL, JSON.stringify(notice));
    await expect.poll(() => login(), { timeout: 1_000 }).toEqual({ ok: false, reason: 'revoked' });
  });
});

describe.skipIf(!process.env.DATABASE_URL)('when the LISTEN connection drops (Postgres)', () => {
  it('flushes the whole cache on reconnect: notices sent meanwhile may have been missed', async () => {
    const { login } = await loggedIn();
    expect(await isCached(login)).toBe(true);
    // Kill the backend that holds LISTEN, as a Postgres restart or a network cut would.
    await t.database.db.execute(
      sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND query ILIKE 'listen%' AND pid <> pg_backend_pid()`,
    );
    // postgres.js reconnects and re-listens by itself, and the cache starts empty again: the
    // clock stands still here, so only a flush can make the next success miss the cache.
    await expect.poll(() => isCached(login), { timeout: 5_000, interval: 100 }).toBe(false);
    expect(await isCached(login)).toBe(true); // and caches again once listening
  });
});
