import { fileURLToPath } from 'node:url';
import { load, startProcess, stop } from '../http-runner.ts';
import type { Row } from '../report.ts';
import { SECRET, type Fixture } from './fixture.ts';

const serverEntry = fileURLToPath(new URL('../../../../apps/web/server.js', import.meta.url));

/**
 * Uncached verification over HTTP, as the uncached bench measures it: the built server
 * with its node cache off, each request another of the fixture's real credentials, so
 * every request is one lookup in the full-size table.
 */
export async function measureVerify(fixture: Fixture, durationSeconds: number): Promise<Row> {
  let next = 0;
  const { probes } = fixture;
  const server = await startProcess(process.execPath, [serverEntry], {
    ...fixture.database.env,
    PORT: '0',
    HOST: '127.0.0.1',
    SIDEKEY_SECRET: SECRET,
    SIDEKEY_LOG_LEVEL: 'warn',
    SIDEKEY_VERIFY_CACHE_MS: '0',
  });
  try {
    return await load('verify: GET /auth/basic, uncached', `${server.url}auth/basic`, {
      headers: {
        'x-sidekey-service': 'imap',
        'x-sidekey-service-key': fixture.serviceKey,
        'x-sidekey-client-address': '127.0.0.1',
      },
      headersEach: () => {
        const { email, password } = probes[next++ % probes.length]!;
        return {
          authorization: `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}`,
        };
      },
      expectStatus: 204,
      durationSeconds,
    });
  } finally {
    await stop(server.process);
  }
}
