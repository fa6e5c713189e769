import { fileURLToPath } from 'node:url';
import { createMemoryLogger, createSidekey, serverKeys } from '@sidekey/core';
import { seedCredentials, type SeededCredential } from '@sidekey/core/testing';
import { createBenchDatabase } from './bench-database.ts';
import { CONNECTIONS, load, startProcess, stop } from './http-runner.ts';
import { printRatios, type Row } from './report.ts';

const serverEntry = fileURLToPath(new URL('../../../apps/web/server.js', import.meta.url));
const floorEntry = fileURLToPath(new URL('./floor-server.ts', import.meta.url));
const SECRET = 'bench-server-secret-that-is-long-enough-0123';
/** The shape of the mail-provider workload: 40 owners with 25 devices each. */
const ACCOUNTS = 40;
const PER_ACCOUNT = 25;
/** The 70 % goal: an uncached verification may cost at most 1/0.7 of the floor. */
export const FLOOR_GOAL = 0.7;

/**
 * Uncached verification over HTTP at a mail server's workload: 1,000 app passwords on 40
 * accounts, each request a different credential, every credential last used over a
 * minute ago (so the old code wrote on each), the node cache off. Ceiling: node:http with
 * one HMAC and one prepared indexed lookup (floor-server.ts), same driver, pool and
 * concurrency, in the same run.
 */
export async function benchUncachedVerify(options: { durationSeconds: number }): Promise<{
  floor: Row;
  rows: Row[];
}> {
  const target = await prepare();
  const credentials = target.credentials;
  let next = 0;
  const basicHeaders = () => {
    const { email, password } = credentials[next++ % credentials.length]!;
    return {
      authorization: `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}`,
    };
  };
  const adapterHeaders = {
    'x-sidekey-service': 'imap',
    'x-sidekey-service-key': target.serviceKey,
    'x-sidekey-client-address': '127.0.0.1',
  };
  const env = { SIDEKEY_SECRET: SECRET, SIDEKEY_LOG_LEVEL: 'warn', ...target.env };
  try {
    const floorServer = await startProcess(process.execPath, ['--import', 'tsx', floorEntry], env);
    let floor: Row;
    try {
      floor = await load('node:http + HMAC + one prepared lookup (floor)', floorServer.url, {
        headersEach: basicHeaders,
        expectStatus: 204,
        durationSeconds: options.durationSeconds,
      });
    } finally {
      await stop(floorServer.process);
    }
    // BENCH_PROFILE_DIR=/tmp/prof writes a CPU profile of the Sidekey process (node --cpu-prof).
    const profile = process.env.BENCH_PROFILE_DIR;
    const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
    const sidekey = await startProcess(process.execPath, [...nodeArgs, serverEntry], {
      ...env,
      PORT: '0',
      HOST: '127.0.0.1',
      SIDEKEY_VERIFY_CACHE_MS: '0',
    });
    const rows: Row[] = [];
    try {
      rows.push(
        await load('GET /auth/basic, uncached, used > 1 min ago', `${sidekey.url}auth/basic`, {
          headers: adapterHeaders,
          headersEach: basicHeaders,
          expectStatus: 204,
          durationSeconds: options.durationSeconds,
        }),
      );
    } finally {
      await stop(sidekey.process);
    }
    printRatios(
      `uncached verify over HTTP: ${credentials.length} app passwords on ${ACCOUNTS} accounts, each request another, ${CONNECTIONS} connections, on ${target.engine}`,
      floor,
      rows,
      rows
        .map(
          (row) =>
            `${row.name}: ${Math.round((row.opsPerSecond / floor.opsPerSecond) * 100)} % of the floor (goal ≥ ${FLOOR_GOAL * 100} %)`,
        )
        .join('\n'),
    );
    return { floor, rows };
  } finally {
    await target.dispose();
  }
}

interface Prepared {
  engine: string;
  env: Record<string, string>;
  credentials: SeededCredential[];
  serviceKey: string;
  dispose(): Promise<void>;
}

async function prepare(): Promise<Prepared> {
  const target = await createBenchDatabase('uncached');
  const database = await target.open();
  const keys = serverKeys(SECRET);
  const sidekey = createSidekey({ database, keys, logger: createMemoryLogger().logger });
  const credentials = await seedCredentials(database, keys, {
    accounts: ACCOUNTS,
    perAccount: PER_ACCOUNT,
    lastUsedAt: new Date(Date.now() - 10 * 60_000),
    address: '127.0.0.1',
  });
  const { key } = await sidekey.serviceKeys.create('bench', { actor: 'operator' });
  await sidekey.close();
  return {
    engine: database.engine,
    env: target.env,
    credentials,
    serviceKey: key,
    dispose: target.dispose,
  };
}
