import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createSidekey, createMemoryLogger, serverKeys } from '@sidekey/core';
import { signUpOwner } from '@sidekey/core/testing';
import { createDb } from '@sidekey/db';
import postgres from 'postgres';
import { printRatios, type Row } from './report.ts';

const serverEntry = fileURLToPath(new URL('../../../apps/web/server.js', import.meta.url));
const SECRET = 'bench-server-secret-that-is-long-enough-0123';
const DURATION_SECONDS = 5;
export const CONNECTIONS = 10;

/**
 * The protocol adapters over real HTTP, against the built server as `pnpm start` runs
 * it. Ceiling: a bare node:http server answering 204, in its own process like Sidekey,
 * loaded by the same client in the same run. Also shown: the same verification through
 * tRPC (service.verify), the path the adapters bypass because of its cost.
 */
export async function benchHttp(): Promise<void> {
  const target = await prepareDatabase();
  const ceiling = await startProcess(process.execPath, [
    '-e',
    `require('node:http').createServer((q, s) => { s.writeHead(204); s.end(); })
      .listen(0, '127.0.0.1', function () { console.log('listening ' + this.address().port); });`,
  ]);
  const sidekey = await startProcess(process.execPath, [serverEntry], {
    PORT: '0',
    HOST: '127.0.0.1',
    SIDEKEY_SECRET: SECRET,
    SIDEKEY_LOG_LEVEL: 'warn',
    ...target.env,
  });
  try {
    const basic = Buffer.from(`${target.username}:${target.password}`).toString('base64');
    const verifyBody = JSON.stringify({
      username: target.username,
      password: target.password,
      service: 'imap',
    });
    const rows = [
      await load(
        'GET /auth/basic (nginx auth_request), right password',
        `${sidekey.url}auth/basic`,
        {
          headers: {
            authorization: `Basic ${basic}`,
            'x-sidekey-service': 'imap',
            'x-sidekey-service-key': target.serviceKey,
            'x-sidekey-client-address': '127.0.0.1',
          },
          expectStatus: 204,
        },
      ),
      await load(
        'POST /auth/verify (Dovecot Lua passdb), right password',
        `${sidekey.url}auth/verify`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${target.serviceKey}`,
            'content-type': 'application/json',
          },
          body: verifyBody,
          expectStatus: 200,
        },
      ),
      await load(
        'tRPC service.verify, same input (for comparison)',
        `${sidekey.url}api/trpc/service.verify`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${target.serviceKey}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ json: JSON.parse(verifyBody) }),
          expectStatus: 200,
        },
      ),
      await load('GET /healthz', `${sidekey.url}healthz`, { expectStatus: 200 }),
    ];
    const bare = await load('bare node:http, 204 (ceiling)', `${ceiling.url}`, {
      expectStatus: 204,
    });
    printRatios(
      `protocol adapters over HTTP, ${CONNECTIONS} connections, ${DURATION_SECONDS} s each, on ${target.engine}`,
      bare,
      rows,
      'Each case is checked to answer with its expected status on every request.',
    );
  } finally {
    sidekey.process.kill('SIGTERM');
    ceiling.process.kill('SIGTERM');
    await target.dispose();
  }
}

export interface LoadOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  expectStatus: number;
  /** Headers for each request in turn (e.g. a different credential each time). */
  headersEach?: () => Record<string, string>;
  durationSeconds?: number;
}

export async function load(name: string, url: string, options: LoadOptions): Promise<Row> {
  const each = options.headersEach;
  const result = await autocannon({
    url,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    connections: CONNECTIONS,
    duration: options.durationSeconds ?? DURATION_SECONDS,
    ...(each
      ? {
          requests: [
            {
              setupRequest: (request: autocannon.Request) => ({
                ...request,
                headers: { ...request.headers, ...each() },
              }),
            },
          ],
        }
      : {}),
  });
  const total = result.requests.total;
  const expected =
    (result.statusCodeStats as Record<string, { count: number }>)[String(options.expectStatus)]
      ?.count ?? 0;
  if (total === 0 || expected !== total || result.errors > 0) {
    throw new Error(
      `${name}: ${expected} of ${total} requests answered ${options.expectStatus} (${result.errors} errors)`,
    );
  }
  return {
    name,
    meanMs: result.latency.mean,
    p99Ms: result.latency.p99,
    opsPerSecond: result.requests.average,
  };
}

interface Target {
  engine: string;
  env: Record<string, string>;
  username: string;
  password: string;
  serviceKey: string;
  dispose(): Promise<void>;
}

/** An owner with an app password and a service key, written before the server opens the database. */
async function prepareDatabase(): Promise<Target> {
  const serverUrl = process.env.DATABASE_URL;
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  if (serverUrl) {
    const name = `sidekey_bench_${Date.now()}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    env = { DATABASE_URL: url.toString() };
    cleanup = async () => {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    };
  } else {
    const dataDir = mkdtempSync(join(tmpdir(), 'sidekey-bench-'));
    env = { DATABASE_URL: '', SIDEKEY_DATA_DIR: dataDir };
    cleanup = async () => rmSync(dataDir, { recursive: true, force: true });
  }
  const database = await createDb(
    env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir: env.SIDEKEY_DATA_DIR! },
  );
  const sidekey = createSidekey({
    database,
    keys: serverKeys(SECRET),
    logger: createMemoryLogger().logger,
  });
  const owner = await signUpOwner(sidekey);
  const { password } = await sidekey.appPasswords.generate(
    owner.accountId,
    { label: 'bench' },
    { actor: 'owner' },
  );
  const { key } = await sidekey.serviceKeys.create('bench', { actor: 'operator' });
  await database.close();
  return {
    engine: database.engine,
    env,
    username: owner.email,
    password,
    serviceKey: key,
    dispose: cleanup,
  };
}

export async function startProcess(
  command: string,
  args: string[],
  env: Record<string, string> = {},
) {
  const child: ChildProcess = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const running = output.match(/running at (http:\/\/\S+)/);
      const listening = output.match(/listening (\d+)/);
      if (running || listening) {
        clearTimeout(timer);
        resolve(running ? running[1]! : `http://127.0.0.1:${listening![1]}/`);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  return { url, process: child };
}
