import { fileURLToPath } from 'node:url';
import { createSidekey, createMemoryLogger, serverKeys } from '@sidekey/core';
import { signUpOwner } from '@sidekey/core/testing';
import { createBenchDatabase } from './bench-database.ts';
import { CONNECTIONS, load, startProcess } from './http-runner.ts';
import { printRatios } from './report.ts';

const serverEntry = fileURLToPath(new URL('../../../apps/web/server.js', import.meta.url));
const SECRET = 'bench-server-secret-that-is-long-enough-0123';
const DURATION_SECONDS = 5;

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
  const target = await createBenchDatabase('http');
  const database = await target.open();
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
    env: target.env,
    username: owner.email,
    password,
    serviceKey: key,
    dispose: target.dispose,
  };
}
