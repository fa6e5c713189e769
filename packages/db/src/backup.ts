import { spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { chmodTree, lockDataDir } from './data-dir-lock.ts';
import { findMigrationsFolder } from './create-db.ts';

/**
 * Backups of either engine, as one file an operator can keep elsewhere.
 * - Embedded: PGlite's own dump of its data directory (a gzipped tar), taken while this
 *   process holds the directory's lock, so no server writes meanwhile.
 * - Postgres: pg_dump's custom format (consistent snapshot, restorable with pg_restore).
 * The server secret is in neither: it must be kept beside the backup.
 */
export async function backupPglite(dataDir: string, file: string, holder: string): Promise<void> {
  const lock = lockDataDir(dataDir, holder);
  try {
    const client = new PGlite(resolve(dataDir, 'pglite'));
    try {
      await client.waitReady;
      const dump = await client.dumpDataDir('gzip');
      writeFileSync(file, Buffer.from(await dump.arrayBuffer()), { mode: 0o600 });
    } finally {
      await client.close();
    }
  } finally {
    chmodTree(dataDir);
    lock.release();
  }
}

/**
 * Replaces the embedded database with a backup. The database it replaces is kept beside
 * it (pglite.replaced-<time>), never deleted; the restored one is migrated to this version.
 * Returns where the replaced database went, if there was one.
 */
export async function restorePglite(
  dataDir: string,
  file: string,
  holder: string,
  at: Date,
): Promise<string | undefined> {
  const backup = readFileSync(file);
  const lock = lockDataDir(dataDir, holder);
  try {
    const live = join(dataDir, 'pglite');
    let keptAs: string | undefined;
    if (existsSync(live)) {
      keptAs = `${live}.replaced-${at.toISOString().replace(/[:.]/g, '-')}`;
      renameSync(live, keptAs);
    }
    const client = new PGlite(live, { loadDataDir: new Blob([backup]) });
    try {
      await client.waitReady;
      await migratePglite(drizzlePglite(client), { migrationsFolder: findMigrationsFolder() });
    } finally {
      await client.close();
    }
    return keptAs;
  } finally {
    chmodTree(dataDir);
    lock.release();
  }
}

export async function backupPostgres(url: string, file: string): Promise<void> {
  // Created private first: pg_dump keeps an existing file's mode, and a dump is every row.
  writeFileSync(file, '', { mode: 0o600, flag: 'wx' });
  await run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${file}`, url]);
}

/** Into the database DATABASE_URL names: Sidekey's objects are dropped and recreated in one transaction. */
export async function restorePostgres(url: string, file: string): Promise<void> {
  await run('pg_restore', [
    '--clean',
    '--if-exists',
    '--no-owner',
    '--no-privileges',
    '--single-transaction',
    '--exit-on-error',
    `--dbname=${url}`,
    file,
  ]);
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error(
              `${command} is not installed; install the PostgreSQL client tools of your server's version (Debian: postgresql-client).`,
            )
          : error,
      ),
    );
    child.on('exit', (code) =>
      code === 0
        ? resolvePromise()
        : // Its own words, minus the connection string (it may carry a password).
          reject(
            new Error(
              `${command} failed: ${stderr.trim().replace(/postgres(ql)?:\/\/\S+/g, '(DATABASE_URL)')}`,
            ),
          ),
    );
  });
}
