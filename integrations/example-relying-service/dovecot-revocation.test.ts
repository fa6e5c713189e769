import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dovecotRevocationHandler } from './dovecot-revocation.ts';

// A stand-in doveadm that records its arguments and answers like the real one (2.3.19) does:
// `kick` of a user without sessions prints "no users kicked" and exits 68. The real doveadm
// against a real Dovecot is exercised in dovecot/dovecot.test.ts.
const dir = mkdtempSync(join(tmpdir(), 'sidekey-doveadm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const calls = join(dir, 'calls');
const doveadm = join(dir, 'doveadm');
writeFileSync(
  doveadm,
  `#!/bin/sh
echo "$*" >> '${calls}'
case "$*" in
  *"kick idle@example.org") echo "no users kicked"; exit 68 ;;
  *"kick broken@example.org") echo "Error: anvil not running" >&2; exit 75 ;;
  *kick*) echo "alice@example.org 1234" ;;
  *) echo "1 cache entries flushed" ;;
esac
`,
);
chmodSync(doveadm, 0o755);
const recorded = () => readFileSync(calls, 'utf8').trim().split('\n');

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
