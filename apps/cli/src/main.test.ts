import { auditEvents } from '@sidekey/db';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { cliSandbox } from './testing.ts';

// The CLI runs on the embedded database here; it shares all its code with the server.
const sandbox = cliSandbox('main');
const { run } = sandbox;
afterAll(sandbox.remove);

describe('sidekey CLI', () => {
  // The real binary, as an operator runs it (the other tests call the CLI in-process).
  it('lists its commands', async () => {
    const result = await sandbox.spawn('help');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('make-admin <email>');
  });

  it('refuses an unknown command with usage and exit code 2', async () => {
    expect((await run('frobnicate')).status).toBe(2);
  });

  it('migrates, and makes an existing account an admin', async () => {
    const migrated = await run('migrate');
    expect(migrated.stderr).toBe('');
    expect(migrated.stdout).toContain('up to date');
    const sidekey = await sandbox.open();
    await sidekey.accounts.signUp(
      { email: 'ops@example.org', password: 'a long enough password' },
      { actor: 'owner' },
    );
    await sidekey.close();

    const made = await run('make-admin', 'OPS@example.org');
    expect(made.stderr).toBe('');
    expect(made.stdout).toContain('ops@example.org is now an admin');

    // Administrators must have two-factor on: the operator is told so at once.
    expect(made.stdout).toMatch(/must have two-factor authentication on/);

    const check = await sandbox.open();
    const [row] = await check.deps.db.query.accounts.findMany();
    expect(row?.role).toBe('admin');
    // Audited, like every other change of who may do what.
    const granted = await check.deps.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, 'role_granted'));
    expect(granted).toEqual([
      expect.objectContaining({
        accountId: row!.id,
        actor: 'operator',
        details: { role: 'admin' },
      }),
    ]);

    // While another process has the embedded database open, a command is refused at once.
    const refused = await run('make-admin', 'ops@example.org');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(
      `(pid ${process.pid}); only one process may open an embedded database`,
    );
    await check.close();
  });

  it('says clearly when the account does not exist', async () => {
    const result = await run('make-admin', 'nobody@example.org');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('No account has the email nobody@example.org');
  });
});

describe('sidekey prune', () => {
  it('reports what it removed', async () => {
    const result = await run('prune');
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      /^Removed \d+ expired session\(s\), \d+ spent reset link\(s\), \d+ idle throttle\(s\), \d+ audit event\(s\) past retention; folded \d+ lifecycle step\(s\) into the review's totals\.$/m,
    );
  });
});
