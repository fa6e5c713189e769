import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSidekey, serverKeys } from '@sidekey/core';
import { createDb } from '@sidekey/db';

const bin = new URL('../bin/sidekey.js', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'sidekey-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

// The CLI runs on the embedded database here; it shares all its code with the server.
const env = {
  ...process.env,
  DATABASE_URL: '',
  SIDEKEY_DATA_DIR: dataDir,
  SIDEKEY_LOG_LEVEL: 'silent',
};
const run = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });

describe('sidekey CLI', () => {
  it('lists its commands', () => {
    const result = run('help');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('make-admin <email>');
  });

  it('refuses an unknown command with usage and exit code 2', () => {
    expect(run('frobnicate').status).toBe(2);
  });

  it('migrates, and makes an existing account an admin', async () => {
    expect(execFileSync(process.execPath, [bin, 'migrate'], { env, encoding: 'utf8' })).toContain(
      'up to date',
    );
    const database = await createDb({ dataDir });
    const secret = (await import('node:fs')).readFileSync(join(dataDir, 'secret'), 'utf8').trim();
    const sidekey = createSidekey({ database, keys: serverKeys(secret) });
    await sidekey.accounts.signUp(
      { email: 'ops@example.org', password: 'a long enough password' },
      { actor: 'owner' },
    );
    await database.close();

    const made = run('make-admin', 'OPS@example.org');
    expect(made.stderr).toBe('');
    expect(made.stdout).toContain('ops@example.org is now an admin');

    const check = await createDb({ dataDir });
    const [row] = await check.db.query.accounts.findMany();
    expect(row?.role).toBe('admin');
    await check.close();
  });

  it('says clearly when the account does not exist', () => {
    const result = run('make-admin', 'nobody@example.org');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('No account has the email nobody@example.org');
  });
});

describe('sidekey prune', () => {
  it('reports what it removed', () => {
    const result = run('prune');
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      /^Removed \d+ expired session\(s\), \d+ spent reset link\(s\), \d+ idle throttle\(s\)\.$/m,
    );
  });
});
