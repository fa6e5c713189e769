import { afterAll, describe, expect, it } from 'vitest';
import { cliSandbox } from '../testing.ts';

// The CLI runs on the embedded database here; it shares all its code with the server.
const sandbox = cliSandbox('outbox');
const { run } = sandbox;
afterAll(sandbox.remove);

describe('sidekey outbox', () => {
  it('says so when the outbox is empty', async () => {
    const result = await run('outbox');
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('The outbox is empty.');
  });

  it('shows a reset link mailed on the embedded default, so an operator can pass it on', async () => {
    const sidekey = await sandbox.open({ origin: 'https://sidekey.example.org' });
    await sidekey.accounts.signUp(
      { email: 'owner@example.org', password: 'a long enough password' },
      { actor: 'owner' },
    );
    await sidekey.passwords.requestPasswordReset(
      { email: 'Owner@Example.org' },
      { actor: 'anonymous' },
    );
    await sidekey.close();

    const result = await run('outbox', '--unsent');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('To: owner@example.org');
    expect(result.stdout).toContain('Subject: Sidekey: reset your password');
    expect(result.stdout).toMatch(
      /https:\/\/sidekey\.example\.org\/reset-password#token=[A-Za-z0-9_-]{43}/,
    );
    expect(result.stdout).toContain('not sent (in the outbox)');
  });

  it('refuses an unknown option or a bad limit with a clear message', async () => {
    for (const args of [['--frobnicate'], ['--limit', 'many'], ['--limit', '0']]) {
      const result = await run('outbox', ...args);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/Use: sidekey outbox/);
    }
  });
});
