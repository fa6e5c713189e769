import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, type Database } from '@sidekey/db';
import postgres from 'postgres';

/** A database made for one benchmark and removed after it, so runs never see each other's rows. */
export interface BenchDatabase {
  /** What a server process needs in its environment to open the same database. */
  env: Record<string, string>;
  /** Postgres only: the database's own URL. */
  url: string | null;
  open(options?: { migrate?: boolean }): Promise<Database>;
  dispose(): Promise<void>;
}

/**
 * On Postgres (DATABASE_URL) a new database with a name of its own on the same server;
 * otherwise a fresh PGlite data directory. `keep` leaves it in place and says where.
 */
export async function createBenchDatabase(
  prefix: string,
  options: { keep?: boolean } = {},
): Promise<BenchDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const name = `sidekey_bench_${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return {
      env: { DATABASE_URL: url.toString() },
      url: url.toString(),
      open: (open = {}) => createDb({ url: url.toString(), ...open }),
      dispose: async () => {
        if (options.keep) process.stdout.write(`kept database ${name}\n`);
        else await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      },
    };
  }
  const dataDir = mkdtempSync(join(tmpdir(), `sidekey-bench-${prefix}-`));
  return {
    env: { DATABASE_URL: '', SIDEKEY_DATA_DIR: dataDir },
    url: null,
    open: (open = {}) => createDb({ dataDir, ...open }),
    dispose: async () => {
      if (options.keep) process.stdout.write(`kept data directory ${dataDir}\n`);
      else rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
