import { afterAll, describe, expect, it } from 'vitest';
import { signUpOwner } from '@sidekey/core/testing';
import { cliSandbox } from '../testing.ts';

// The CLI runs on the embedded database here; it shares all its code with the server.
const sandbox = cliSandbox('service');
const { run } = sandbox;
afterAll(sandbox.remove);

/** Whether the server (same data directory) accepts a key, as a relying service would see it. */
async function accepted(key: string) {
  const sidekey = await sandbox.open();
  try {
    return await sidekey.serviceKeys.authenticate(key);
  } finally {
    await sidekey.close();
  }
}

describe('sidekey service', () => {
  let key = '';
  let id = '';

  it('add prints the key once, bound to the protocols named; the server accepts it', async () => {
    const added = await run('service', 'add', 'dovecot', '--services', 'imap,pop3,smtp');
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);
    expect(added.stdout).toContain('imap, pop3, smtp');
    key = added.stdout.match(/sksvc_[A-Za-z0-9_-]{43}/)![0];
    id = added.stdout.match(/id ([0-9a-f-]{36})/)![1]!;
    expect(await accepted(key)).toMatchObject({ protocols: ['imap', 'pop3', 'smtp'] });
  });

  it('add needs the protocols, and refuses unknown ones, writing nothing', async () => {
    const unbound = await run('service', 'add', 'radicale');
    expect(unbound.status).toBe(1);
    expect(unbound.stderr).toContain('--services');
    const unknown = await run('service', 'add', 'radicale', '--services', 'caldav,gopher');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('Unknown protocol: gopher');
    expect((await run('service', 'list')).stdout).not.toContain('radicale');
  });

  it('list shows names, protocols and state, never a key', async () => {
    const listed = await run('service', 'list');
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+dovecot\\s+imap,pop3,smtp\\s+active`));
    expect(listed.stdout).not.toContain('sksvc_');
  });

  it('refuses a duplicate name and a missing name clearly', async () => {
    const duplicate = await run('service', 'add', 'dovecot', '--services', 'imap');
    expect(duplicate.status).toBe(1);
    expect(duplicate.stderr).toContain('already has a key');
    const missing = await run('service', 'add');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('Name the service');
    expect((await run('service', 'frobnicate')).stderr).toContain('sidekey service add <name>');
  });

  it('revoke by name cuts the key off', async () => {
    const revoked = await run('service', 'revoke', 'dovecot');
    expect(revoked.status).toBe(0);
    expect(revoked.stdout).toContain('is revoked');
    expect(await accepted(key)).toBeNull();
    expect((await run('service', 'list')).stdout).toMatch(/dovecot\s+imap,pop3,smtp\s+revoked/);
    const again = await run('service', 'revoke', id);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('already revoked');
  });
});

describe('sidekey revoke-password', () => {
  it("revokes any owner's app password with reason admin, and says so", async () => {
    await run('migrate'); // writes the secret, should this test run alone
    const sidekey = await sandbox.open();
    const owner = await signUpOwner(sidekey);
    const generated = await sidekey.appPasswords.generate(
      owner.accountId,
      { label: 'Leaked phone' },
      { actor: 'owner' },
    );
    await sidekey.close();

    const revoked = await run('revoke-password', generated.id);
    expect(revoked.stderr).toBe('');
    expect(revoked.stdout).toContain('Revoked “Leaked phone”');

    const check = await sandbox.open();
    const [row] = await check.appPasswords.list(owner.accountId);
    await check.close();
    expect(row).toMatchObject({ state: 'revoked', revokeReason: 'admin' });

    const again = await run('revoke-password', generated.id);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('already revoked');
    expect((await run('revoke-password', 'not-an-id')).stderr).toContain('not found');
  });
});
