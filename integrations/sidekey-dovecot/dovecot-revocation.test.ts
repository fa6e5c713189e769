import { afterAll, describe, expect, it } from 'vitest';
import { createFakeDoveadm } from '../testing/fake-doveadm.ts';
import { dovecotRevocationHandler } from '@sidekey/dovecot';

const fake = createFakeDoveadm();
afterAll(() => fake.remove());
const doveadm = fake.path;
const recorded = fake.calls;

describe('the Dovecot revocation handler', () => {
  const lines: string[] = [];
  const handle = dovecotRevocationHandler({
    doveadm: [doveadm, '-c', '/etc/dovecot/dovecot.conf'],
    log: (line) => lines.push(line),
  });
  const revocation = (username: string) => ({ username, credentialId: 'c1', reason: 'user' });

  it('flushes the auth cache first, then kicks the open sessions of that user', async () => {
    await handle(revocation('alice@example.org'));
    expect(recorded()).toEqual([
      '-c /etc/dovecot/dovecot.conf auth cache flush alice@example.org',
      '-c /etc/dovecot/dovecot.conf kick alice@example.org',
    ]);
    expect(lines.at(-1)).toContain('alice@example.org revoked (user): auth cache flushed, kicked');
  });

  it('treats a user without open sessions as done, not as a failure', async () => {
    await handle(revocation('idle@example.org'));
    expect(lines.at(-1)).toContain('no open sessions');
  });

  it('reports a doveadm that fails (Dovecot down), so the service can log it', async () => {
    await expect(handle(revocation('broken@example.org'))).rejects.toThrow(/kick/);
  });

  it('never hands doveadm a user mask that could match other users, or an option', async () => {
    const before = recorded().length;
    for (const username of ['*', 'a*@example.org', 'b?@example.org', '-A', 'two words', '']) {
      await expect(handle(revocation(username))).rejects.toThrow(/not a plain user name/);
    }
    expect(recorded().length).toBe(before);
  });
});
