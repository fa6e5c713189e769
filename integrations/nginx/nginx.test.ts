import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateAppPassword } from '@sidekey/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nginx } from '../testing/binaries.ts';
import { freePort, startProcess, waitForPort, type RunningProcess } from '../testing/processes.ts';
import { startSeededSidekey, type SidekeyForIntegration } from '../testing/sidekey.ts';

const integrations = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const binary = nginx();

/** Fills the test template; the shipped sidekey*.conf files are included from where they are. */
function renderConfig(values: Record<string, string | number>) {
  const template = readFileSync(join(integrations, 'nginx/test-nginx.conf.template'), 'utf8');
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`nothing to fill {{${name}}} with`);
    return String(values[name]);
  });
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe.skipIf(binary.skip)('nginx auth_request in front of Sidekey', () => {
  let sidekey: SidekeyForIntegration;
  let backend: Server;
  let server: RunningProcess;
  let prefix: string;
  let url: string;
  let misconfiguredUrl: string;
  const badServiceKey = `sksvc_${'C'.repeat(43)}`;
  /** What the protected backend received, per request path. */
  const received: { path: string; headers: IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    sidekey = await startSeededSidekey(
      {
        'file sync': ['files'],
        calendar: ['calendars'],
        'old laptop': ['files'],
        'new tablet': ['files'],
      },
      'nginx-files',
    );

    backend = createServer((request, response) => {
      received.push({ path: request.url!, headers: request.headers });
      response.end(`hello ${request.headers['x-sidekey-account'] ?? 'nobody'}`);
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));

    prefix = mkdtempSync(join(tmpdir(), 'sidekey-nginx-'));
    mkdirSync(join(prefix, 'temp'));
    const port = await freePort();
    const misconfiguredPort = await freePort();
    writeFileSync(
      join(prefix, 'nginx.conf'),
      renderConfig({
        prefix,
        port,
        integrations,
        sidekeyAddress: sidekey.address,
        serviceKey: sidekey.serviceKey,
        misconfiguredPort,
        badServiceKey,
        backendAddress: `127.0.0.1:${(backend.address() as { port: number }).port}`,
      }),
    );
    // -p keeps every relative path (and the compiled-in log paths nginx opens before reading
    // the config) in the temp prefix; -e for the same reason on the error log.
    server = startProcess(binary.path, [
      '-p',
      prefix,
      '-c',
      join(prefix, 'nginx.conf'),
      '-e',
      join(prefix, 'error.log'),
    ]);
    await waitForPort(port, 'nginx', () => server.output() + readLog(prefix, 'error.log'), server);
    url = `http://127.0.0.1:${port}`;
    misconfiguredUrl = `http://127.0.0.1:${misconfiguredPort}`;
  });

  afterAll(async () => {
    await server?.stop();
    if (backend) await new Promise((resolve) => backend.close(resolve));
    await sidekey?.stop();
    if (prefix) rmSync(prefix, { recursive: true, force: true });
  });

  const get = (path: string, authorization?: string, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, {
      headers: { ...(authorization ? { authorization } : {}), ...headers },
    });

  it('lets the right app password through, and passes the account on to the backend', async () => {
    const { password } = sidekey.appPasswords['file sync']!;
    // A client trying to name the account itself is overruled by what Sidekey says.
    const response = await get('/files/report.txt', basic(sidekey.owner.email, password), {
      'x-sidekey-account': 'someone-else@example.org',
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(`hello ${sidekey.owner.email}`);
    const seen = received.at(-1)!;
    expect(seen.path).toBe('/files/report.txt');
    expect(seen.headers['x-sidekey-account']).toBe(sidekey.owner.email);
    expect(seen.headers['x-sidekey-account-id']).toMatch(/\S/);
    // The app password and the service key stop at nginx.
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers['x-sidekey-service-key']).toBeUndefined();
  });

  it('accepts the app password typed with capitals and spaces, as a person might', async () => {
    const { password } = sidekey.appPasswords['file sync']!;
    const typed = password.toUpperCase().replaceAll('-', ' ');
    const response = await get('/files/', basic(sidekey.owner.email, typed));
    expect(response.status).toBe(200);
  });

  it('refuses a wrong password with 401 and a Basic challenge, without reaching the backend', async () => {
    const before = received.length;
    const { password } = sidekey.appPasswords['file sync']!;
    const wrong = `${password.slice(0, -1)}${password.endsWith('a') ? 'b' : 'a'}`;
    for (const authorization of [
      basic(sidekey.owner.email, wrong),
      basic('nobody@example.org', password),
      basic(sidekey.owner.email, 'not an app password at all'),
      undefined,
      'Basic %%%not-base64',
      'Bearer something',
    ]) {
      const response = await get('/files/secret.txt', authorization);
      expect(response.status, authorization).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="Sidekey"/);
    }
    expect(received.length).toBe(before);
  });

  it('refuses an app password outside its scopes (calendars only, asking for files)', async () => {
    const { password } = sidekey.appPasswords.calendar!;
    expect((await get('/calendars/', basic(sidekey.owner.email, password))).status).toBe(200);
    expect((await get('/files/', basic(sidekey.owner.email, password))).status).toBe(401);
  });

  it('refuses an app password at once after the owner revokes it', async () => {
    const laptop = sidekey.appPasswords['old laptop']!;
    const authorization = basic(sidekey.owner.email, laptop.password);
    expect((await get('/files/', authorization)).status).toBe(200);
    await sidekey.revoke(laptop.id);
    expect((await get('/files/', authorization)).status).toBe(401);
    // The other app passwords keep working.
    const { password } = sidekey.appPasswords['file sync']!;
    expect((await get('/files/', basic(sidekey.owner.email, password))).status).toBe(200);
  });

  it('passes throttling on as 401 with Retry-After to guesses, and still lets the right password through', async () => {
    // One never used yet: Sidekey's node cache of recent successes plays no part.
    const { password } = sidekey.appPasswords['new tablet']!;
    // Distinct, well-formed wrong passwords (the same one repeated counts once) until Sidekey
    // starts throttling the account: after its free failures, each is refused with Retry-After.
    let attempts = 0;
    for (; attempts < 100; attempts++) {
      const wrong = await get('/files/', basic(sidekey.owner.email, generateAppPassword().display));
      expect(wrong.status).toBe(401);
      if (wrong.headers.get('retry-after')) break;
    }
    expect(attempts).toBeGreaterThan(1);
    expect(attempts).toBeLessThan(100);
    const before = received.length;
    const guess = await get('/files/', basic(sidekey.owner.email, generateAppPassword().display));
    expect(guess.status).toBe(401);
    expect(guess.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(Number(guess.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(received.length).toBe(before);
    // Someone else's guessing does not lock the owner's device out (128 bits are not guessed).
    const owner = await get('/files/', basic(sidekey.owner.email, password));
    expect(owner.status).toBe(200);
    expect(received.length).toBe(before + 1);
  });

  it('a wrong service key in nginx is a server error (500) and logged, never a password prompt', async () => {
    const { password } = sidekey.appPasswords['file sync']!;
    const before = received.length;
    const response = await fetch(`${misconfiguredUrl}/files/`, {
      headers: { authorization: basic(sidekey.owner.email, password) },
    });
    expect(response.status).toBe(500);
    expect(response.headers.get('www-authenticate')).toBeNull();
    expect(received.length).toBe(before);
    // nginx names the cause in its error log; Sidekey says which kind of key problem it was.
    expect(readLog(prefix, 'error.log')).toMatch(/auth request unexpected status: 400/);
    await expect.poll(() => sidekey.sidekey.output()).toMatch(/service key refused/);
    expect(sidekey.sidekey.output()).not.toContain(badServiceKey);
  });

  it('fails closed when Sidekey is unreachable: an error, never the protected content', async () => {
    const { password } = sidekey.appPasswords['file sync']!;
    await sidekey.sidekey.stop();
    const before = received.length;
    const response = await get('/files/', basic(sidekey.owner.email, password));
    expect(response.status).toBeGreaterThanOrEqual(500);
    expect(received.length).toBe(before);
  });

  it('never writes the app password to its logs', () => {
    const logs = readLog(prefix, 'access.log') + readLog(prefix, 'error.log');
    for (const { password } of Object.values(sidekey.appPasswords)) {
      expect(logs).not.toContain(password);
    }
    expect(logs).not.toContain(sidekey.serviceKey);
    expect(logs).not.toContain(badServiceKey);
  });
});

function readLog(prefix: string, name: string) {
  try {
    return readFileSync(join(prefix, name), 'utf8');
  } catch {
    return '';
  }
}
