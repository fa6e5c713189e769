import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { mailedToken, runServerExpectingExit, startSidekey, type RunningSidekey } from './start.ts';

// What an operator sees when starting, double-starting and stopping the real server.
const embedded = !process.env.DATABASE_URL;
const cliBin = fileURLToPath(new URL('../../cli/bin/sidekey.js', import.meta.url));
const temporary: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'sidekey-start-up-'));
  temporary.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});
const SECRET = 'start-up-test-secret-long-enough-0123456789';

/** One sentence per line, and nothing that looks like a stack trace. */
function expectSentences(stderr: string) {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr.trim()).not.toBe('');
}

/** Signs up over HTTP and opens the mailed link, as a newcomer would. */
async function signUp(app: RunningSidekey, email: string) {
  const response = await fetch(new URL('/api/trpc/auth.signUp', app.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ json: { email, password: 'a long enough password' } }),
  });
  expect(response.status).toBe(200);
  const token = await mailedToken(app, email, '/sign-up/confirm');
  const confirmed = await fetch(new URL('/api/trpc/auth.confirmSignUp', app.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ json: { token } }),
  });
  expect(confirmed.status).toBe(200);
}

async function signIn(url: string, email: string) {
  const response = await fetch(new URL('/api/trpc/auth.signIn', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ json: { email, password: 'a long enough password' } }),
  });
  return response.status;
}

describe.runIf(embedded)('one writer per embedded data directory', () => {
  it('refuses a second server and a CLI command at once, naming the running one; the data survive and reopen', async () => {
    const dataDir = freshDir();
    const first = await startSidekey({}, { dataDir });
    try {
      await signUp(first, 'first@example.org');

      const second = await runServerExpectingExit({ PORT: '0', SIDEKEY_DATA_DIR: dataDir });
      expect(second.code).toBe(1);
      expect(second.stdout).not.toContain('Sidekey is running');
      expect(second.stderr).toContain(`in use by Sidekey's server (pid ${first.process.pid})`);
      expectSentences(second.stderr);

      const cli = spawnSync(process.execPath, [cliBin, 'prune'], {
        env: {
          ...process.env,
          DATABASE_URL: '',
          SIDEKEY_DATA_DIR: dataDir,
          SIDEKEY_LOG_LEVEL: 'silent',
        },
        encoding: 'utf8',
      });
      expect(cli.status).toBe(1);
      expect(cli.stderr).toContain(`(pid ${first.process.pid})`);
      expect(cli.stderr).toContain('stop that process first');
      expectSentences(cli.stderr);

      // The first server never noticed: it still serves what it had.
      expect(await signIn(first.url, 'first@example.org')).toBe(200);
    } finally {
      await first.stop();
    }
    expect(first.process.exitCode).toBe(0);
    const again = await startSidekey({}, { dataDir });
    try {
      expect(await signIn(again.url, 'first@example.org')).toBe(200);
    } finally {
      await again.stop();
    }
  }, 180_000);

  it('starts again at once after the server was killed with SIGKILL (the stale lock is recognised)', async () => {
    const dataDir = freshDir();
    const first = await startSidekey({}, { dataDir });
    await signUp(first, 'killed@example.org');
    const exited = new Promise((resolve) => first.process.once('exit', resolve));
    first.process.kill('SIGKILL');
    await exited;
    const again = await startSidekey({}, { dataDir });
    try {
      expect(await signIn(again.url, 'killed@example.org')).toBe(200);
    } finally {
      await again.stop();
    }
  }, 180_000);
});

describe('start-up explains itself', () => {
  it('a port in use: one sentence, before the database is opened', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const dataDir = join(freshDir(), 'data');
    try {
      const run = await runServerExpectingExit({
        PORT: String(port),
        SIDEKEY_DATA_DIR: dataDir,
        SIDEKEY_SECRET: SECRET,
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`Port 127.0.0.1:${port} is already in use`);
      expectSentences(run.stderr);
      expect(existsSync(join(dataDir, 'pglite'))).toBe(false); // never touched
    } finally {
      taken.close();
    }
  }, 90_000);

  it('every configuration mistake at once, one sentence each, nothing created, no secret repeated', async () => {
    const file = join(freshDir(), 'a-file');
    writeFileSync(file, '');
    const run = await runServerExpectingExit({
      PORT: 'http',
      SIDEKEY_SECRET: 'short-secret-value',
      DATABASE_URL: '',
      SIDEKEY_DATA_DIR: join(file, 'data'),
      SIDEKEY_DB_STARTUP_TIMEOUT: 'soon',
    });
    expect(run.code).toBe(1);
    expectSentences(run.stderr);
    expect(run.stderr).toContain('PORT must be a whole number');
    expect(run.stderr).toContain('SIDEKEY_SECRET must be at least 32 characters long (it has 18)');
    expect(run.stderr).toContain('is a file, not a directory');
    expect(run.stderr).toContain('SIDEKEY_DB_STARTUP_TIMEOUT must be');
    expect(run.stderr).not.toContain('short-secret-value');
  }, 90_000);

  it('a DATABASE_URL that is not Postgres is told without repeating it', async () => {
    const run = await runServerExpectingExit({
      DATABASE_URL: 'mysql://root:hunter2-password@db/sidekey',
      SIDEKEY_SECRET: SECRET,
      PORT: '0',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('DATABASE_URL must start with postgres://');
    expect(run.stderr).not.toContain('hunter2');
    expectSentences(run.stderr);
  }, 90_000);

  it('an unreachable database is retried for SIDEKEY_DB_STARTUP_TIMEOUT, then one sentence', async () => {
    // A port nothing listens on: refused at once, so only the retrying takes time.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const run = await runServerExpectingExit({
      DATABASE_URL: `postgres://sidekey:pw-not-shown@127.0.0.1:${port}/sidekey`,
      SIDEKEY_SECRET: SECRET,
      SIDEKEY_DB_STARTUP_TIMEOUT: '3',
      PORT: '0',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `Cannot reach the database at 127.0.0.1:${port}/sidekey (ECONNREFUSED) after 3 s`,
    );
    expect(run.stdout + run.stderr).toContain('database not reachable yet; retrying');
    expect(run.stderr).not.toContain('pw-not-shown');
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.ms).toBeGreaterThanOrEqual(3000);
  }, 90_000);
});

describe('a graceful stop', () => {
  it('SIGTERM lets an in-flight request finish, closes kept-alive connections, releases the data directory and exits 0', async () => {
    const app = await startSidekey();
    const url = new URL('/auth/verify', app.url);
    // A request whose body is still arriving when the signal comes.
    const answer = new Promise<number>((resolve, reject) => {
      const req = request(
        url,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      req.write('{"username":"someone@example.org",');
      setTimeout(() => {
        app.process.kill('SIGTERM');
        setTimeout(() => req.end('"password":"x","service":"imap"}'), 300);
      }, 300);
    });
    const exited = new Promise<number | null>((resolve) => app.process.once('exit', resolve));
    expect(await answer).toBe(401); // no service key: refused, but answered
    expect(await exited).toBe(0);
    if (embedded) expect(existsSync(join(app.dataDir, 'sidekey.lock'))).toBe(false);
    await app.stop();
  }, 90_000);
});
