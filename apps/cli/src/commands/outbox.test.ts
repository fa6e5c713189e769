import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createSidekey, serverKeys } from '@sidekey/core';
import { createDb } from '@sidekey/db';
import { afterAll, describe, expect, it } from 'vitest';

const bin = new URL('../../bin/sidekey.js', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'sidekey-cli-outbox-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const env = {
  ...process.env,
  DATABASE_URL: '',
  SMTP_URL: '',
  SIDEKEY_DATA_DIR: dataDir,
  SIDEKEY_LOG_LEVEL: 'silent',
};
const run = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });

describe('sidekey outbox', () => {
  it('says so when the outbox is empty', () => {
    const result = run('outbox');
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('The outbox is empty.');
  });

  it('shows a reset link mailed on the embedded default, so an operator can pass it on', async () => {
    const database = await createDb({ dataDir });
    const secret = readFileSync(join(dataDir, 'secret'), 'utf8').trim();
    const sidekey = createSidekey({
      database,
      keys: serverKeys(secret),
      origin: 'https://sidekey.example.org',
      logger: createLogger({ level: 'silent' }),
    });
    await sidekey.accounts.signUp(
      { email: 'owner@example.org', password: 'a long enough password' },
      { actor: 'owner' },
    );
    await sidekey.passwords.requestPasswordReset(
      { email: 'Owner@Example.org' },
      { actor: 'anonymous' },
    );
    await sidekey.close();

    const result = run('outbox', '--unsent');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('To: owner@example.org');
    expect(result.stdout).toContain('Subject: Sidekey: reset your password');
    expect(result.stdout).toMatch(
      /https:\/\/sidekey\.example\.org\/reset-password#token=[A-Za-z0-9_-]{43}/,
    );
    expect(result.stdout).toContain('not sent (in the outbox)');
  });

  it('refuses an unknown option or a bad limit with a clear message', () => {
    for (const args of [['--frobnicate'], ['--limit', 'many'], ['--limit', '0']]) {
      const result = run('outbox', ...args);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/Use: sidekey outbox/);
    }
  });
});
