import { backupPglite, backupPostgres, restorePglite, restorePostgres } from '@sidekey/db';
import type { SidekeyConfig } from './config.ts';

/**
 * The whole configured database into `file`: PGlite's own dump under the data directory's
 * lock when embedded, `pg_dump -Fc` on Postgres. `holder` names the command to a process
 * refused the lock meanwhile.
 */
export async function backupDatabase(
  config: SidekeyConfig,
  file: string,
  holder: string,
): Promise<void> {
  if (config.databaseUrl) await backupPostgres(config.databaseUrl, file);
  else await backupPglite(config.dataDir, file, holder);
}

/**
 * Replaces the configured database with a backup. Embedded, the replaced directory is kept
 * aside and its path returned (never deleted); on Postgres, null.
 */
export async function restoreDatabase(
  config: SidekeyConfig,
  file: string,
  holder: string,
  now: Date,
): Promise<string | null> {
  if (config.databaseUrl) {
    await restorePostgres(config.databaseUrl, file);
    return null;
  }
  return (await restorePglite(config.dataDir, file, holder, now)) ?? null;
}
