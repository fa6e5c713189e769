import { request } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nginx } from '../testing/binaries.ts';
import { freePort, startProcess, waitForPort, type RunningProcess } from '../testing/processes.ts';
import { startSeededSidekey, type SidekeyForIntegration } from '../testing/sidekey.ts';

const binary = nginx();

/**
 * nginx as the reverse proxy in front of the whole web app, the way an operator deploys
 * it: it appends the client's address to X-Forwarded-For, and Sidekey trusts it for that
 * because its address (127.0.0.1) is in SIDEKEY_TRUSTED_PROXIES.
 */
function reverseProxyConfig(prefix: string, port: number, sidekeyAddress: string) {
  return `daemon off;
master_process off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log info;
events { worker_connections 64; }
http {
    access_log ${prefix}/access.log;
    client_body_temp_path ${prefix}/temp/body;
    proxy_temp_path ${prefix}/temp/proxy;
    fastcgi_temp_path ${prefix}/temp/fastcgi;
    uwsgi_temp_path ${prefix}/temp/uwsgi;
    scgi_temp_path ${prefix}/temp/scgi;
    server {
        listen 127.0.0.1:${port};
        location / {
            proxy_pass http://${sidekeyAddress};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }
    }
}
`;
}

/**
 * A failed sign-in over real HTTP from a real source address: Linux routes all of
 * 127.0.0.0/8 to loopback, so 127.0.0.2 and 127.0.0.3 are two different clients.
 */
function failedSignIn(
  port: number,
  from: string,
  headers: Record<string, string> = {},
): Promise<number> {
  const body = JSON.stringify({
    json: { email: `nobody-${crypto.randomUUID()}@example.org`, password: 'not the password' },
  });
  return new Promise((resolve, reject) => {
    const call = request(
      {
        host: '127.0.0.1',
        port,
        localAddress: from,
        method: 'POST',
        path: '/api/trpc/auth.signIn',
        headers: { 'content-type': 'application/json', ...headers },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode!));
      },
    );
    call.on('error', reject);
    call.end(body);
  });
}

describe.skipIf(binary.skip)('behind a reverse proxy (SIDEKEY_TRUSTED_PROXIES)', () => {
  let sidekey: SidekeyForIntegration;
  let server: RunningProcess;
  let prefix: string;
  let proxyPort: number;
  let sidekeyPort: number;

  beforeAll(async () => {
    sidekey = await startSeededSidekey({}, 'proxy-test', {
      serverEnv: { SIDEKEY_TRUSTED_PROXIES: '127.0.0.1/32,::1/128' },
    });
    sidekeyPort = Number(new URL(sidekey.sidekey.url).port);
    prefix = mkdtempSync(join(tmpdir(), 'sidekey-proxy-'));
    mkdirSync(join(prefix, 'temp'));
    proxyPort = await freePort();
    writeFileSync(
      join(prefix, 'nginx.conf'),
      reverseProxyConfig(prefix, proxyPort, sidekey.address),
    );
    server = startProcess(binary.path, [
      '-p',
      prefix,
      '-c',
      join(prefix, 'nginx.conf'),
      '-e',
      join(prefix, 'error.log'),
    ]);
    await waitForPort(proxyPort, 'nginx', () => server.output() + readLog(prefix), server);
  }, 400_000);

  afterAll(async () => {
    await server?.stop();
    await sidekey?.stop();
    if (prefix) rmSync(prefix, { recursive: true, force: true });
  });

  it('throttles two clients behind the proxy separately, and ignores a forged X-Forwarded-For from a direct client', async () => {
    // Client A guesses across many accounts until its own address is throttled (429).
    let attempts = 0;
    let status = 0;
    for (; attempts < 60 && status !== 429; attempts++) {
      status = await failedSignIn(proxyPort, '127.0.0.2', {
        // What A claims to be counts for nothing: nginx appends the address it saw.
        'x-forwarded-for': `198.51.100.${attempts + 1}`,
      });
    }
    expect(status).toBe(429);
    expect(attempts).toBeGreaterThan(5);

    // Client B, behind the same proxy, is not locked out by A.
    expect(await failedSignIn(proxyPort, '127.0.0.3')).toBe(401);

    // A, connecting directly (not a trusted proxy), cannot name another address either.
    expect(
      await failedSignIn(sidekeyPort, '127.0.0.2', { 'x-forwarded-for': '203.0.113.50' }),
    ).toBe(429);
  }, 300_000);
});

function readLog(prefix: string) {
  try {
    return readFileSync(join(prefix, 'error.log'), 'utf8');
  } catch {
    return '';
  }
}
