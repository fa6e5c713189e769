import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createSidekey, serverKeys, type Sidekey } from '@sidekey/core';
import { createDb, type Database } from '@sidekey/db';
import postgres from 'postgres';

export const SEED_SECRET = 'relying-test-secret-long-enough-0123456789';

export interface SeededStore {
  /** Environment for startSidekey(): the same database and secret as `open()`. */
  env: Record<string, string>;
  /** Sidekey on the same database. PGlite allows one process at a time: close it before a server starts. */
  open(): Promise<{ sidekey: Sidekey; database: Database }>;
  dispose(): Promise<void>;
}

/**
 * A database a test seeds (owners, app passwords, service keys) and then serves with
 * real Sidekey processes: a fresh Postgres database when DATABASE_URL is set — which
 * several processes may share — otherwise an embedded data directory.
 */
export async function seededStore(): Promise<SeededStore> {
  const keys = serverKeys(SEED_SECRET);
  const logger = createLogger({ level: 'silent' });
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dataDir = mkdtempSync(join(tmpdir(), 'sidekey-seeded-'));
    return {
      env: { SIDEKEY_DATA_DIR: dataDir, SIDEKEY_SECRET: SEED_SECRET, DATABASE_URL: '' },
      async open() {
        const database = await createDb({ dataDir });
        return { database, sidekey: createSidekey({ database, keys, logger }) };
      },
      async dispose() {
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const name = `sidekey_web_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString(), SIDEKEY_SECRET: SEED_SECRET },
    async open() {
      const database = await createDb({ url: url.toString(), maxConnections: 4 });
      return { database, sidekey: createSidekey({ database, keys, logger }) };
    },
    async dispose() {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
