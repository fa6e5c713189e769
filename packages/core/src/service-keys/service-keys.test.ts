import { serviceKeys } from '@sidekey/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSidekey, type TestSidekey } from '../testing.ts';
import { SERVICE_KEY_PREFIX } from './service-keys.ts';

let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey();
});
afterAll(() => t.dispose());

const operator = { actor: 'operator' as const };

describe('service keys', () => {
  it('shows a prefixed 256-bit key once and stores only its SHA-256', async () => {
    const created = await t.sidekey.serviceKeys.create('  dovecot-imap ', operator);
    expect(created.name).toBe('dovecot-imap');
    expect(created.key).toMatch(/^sksvc_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(SERVICE_KEY_PREFIX)).toBe(true);
    const rows = await t.database.db.select().from(serviceKeys);
    expect(JSON.stringify(rows)).not.toContain(created.key.slice(SERVICE_KEY_PREFIX.length));
    const listed = await t.sidekey.serviceKeys.list();
    expect(listed.find((k) => k.id === created.id)).toEqual({
      id: created.id,
      name: 'dovecot-imap',
      protocols: ['imap', 'pop3', 'smtp', 'caldav', 'carddav', 'webdav'],
      createdAt: created.createdAt,
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(JSON.stringify(listed)).not.toContain(created.key);
  });

  it('authenticates the key, records last use, and refuses anything else', async () => {
    const { key, id } = await t.sidekey.serviceKeys.create('nginx', operator, ['caldav', 'webdav']);
    expect(await t.sidekey.serviceKeys.authenticate(key)).toEqual({
      id,
      name: 'nginx',
      protocols: ['caldav', 'webdav'],
    });
    const listed = await t.sidekey.serviceKeys.list();
    expect(listed.find((k) => k.id === id)!.lastUsedAt).toEqual(t.clock.now);
    const almost = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    for (const wrong of [
      almost,
      '',
      null,
      undefined,
      'Bearer ' + key,
      key + 'x',
      'x'.repeat(10_000),
    ]) {
      expect(await t.sidekey.serviceKeys.authenticate(wrong)).toBeNull();
    }
  });

  it('refuses a second live key under the same name, also when created concurrently', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () => t.sidekey.serviceKeys.create('caldav', operator)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'CONFLICT', reason: 'name_taken' });
  });

  it('refuses names that would garble the list', async () => {
    for (const name of ['', '   ', 'x'.repeat(65), 'bad\nname', '-leading-dash']) {
      await expect(t.sidekey.serviceKeys.create(name, operator)).rejects.toMatchObject({
        code: 'BAD_REQUEST',
        reason: 'invalid_name',
      });
    }
  });

  it('revokes by name or id; a revoked key never authenticates again, and the name is free again', async () => {
    const first = await t.sidekey.serviceKeys.create('smtp', operator);
    expect(await t.sidekey.serviceKeys.authenticate(first.key)).not.toBeNull();
    const revoked = await t.sidekey.serviceKeys.revoke('smtp', operator);
    expect(revoked).toMatchObject({ id: first.id, revokedAt: t.clock.now });
    expect(await t.sidekey.serviceKeys.authenticate(first.key)).toBeNull();

    const second = await t.sidekey.serviceKeys.create('smtp', operator);
    await expect(t.sidekey.serviceKeys.revoke(first.id, operator)).rejects.toMatchObject({
      code: 'CONFLICT',
      reason: 'already_revoked',
    });
    await t.sidekey.serviceKeys.revoke(second.id, operator);
    expect(await t.sidekey.serviceKeys.authenticate(second.key)).toBeNull();
    await expect(t.sidekey.serviceKeys.revoke('no-such-service', operator)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('a key revoked by another process (the CLI) is refused here once the notice lands', async () => {
    const { key } = await t.sidekey.serviceKeys.create('webdav', operator);
    expect(await t.sidekey.serviceKeys.authenticate(key)).not.toBeNull(); // now remembered
    const { createSidekey } = await import('../sidekey.ts');
    const other = createSidekey({ database: t.database, keys: t.sidekey.deps.keys });
    await other.serviceKeys.revoke('webdav', operator);
    await expect.poll(() => t.sidekey.serviceKeys.authenticate(key), { timeout: 2000 }).toBeNull();
  });
});
