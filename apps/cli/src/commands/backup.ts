import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { backupDatabase, restoreDatabase } from '@sidekey/core';
import type { Command } from './types.ts';

const SECRET_REMINDER =
  'The server secret is not in the backup: keep SIDEKEY_SECRET (or the data directory’s secret file) with it — without it no app password verifies and two-factor cannot be read.';

/** One file holding the whole database, embedded or Postgres. */
export const backup: Command = {
  usage: 'backup <file>',
  summary: 'write the whole database to a file (embedded: stop the server first)',
  run: () => Promise.reject(new Error('unreachable')),
  async withoutSidekey(config, args, out) {
    const [target, ...rest] = args;
    if (!target || rest.length > 0) throw new Error('Usage: sidekey backup <file>');
    const file = resolve(target);
    if (existsSync(file)) throw new Error(`${file} exists already; choose a new file name.`);
    await backupDatabase(config, file, 'sidekey backup');
    out(`Backed up the ${config.databaseUrl ? 'Postgres' : 'embedded'} database to ${file}.`);
    out(SECRET_REMINDER);
    return 0;
  },
};

/** Puts a backup back, replacing the database (the embedded one is kept aside, not deleted). */
export const restore: Command = {
  usage: 'restore <file>',
  summary: 'replace the database with a backup (embedded: stop the server first)',
  run: () => Promise.reject(new Error('unreachable')),
  async withoutSidekey(config, args, out) {
    const [source, ...rest] = args;
    if (!source || rest.length > 0) throw new Error('Usage: sidekey restore <file>');
    const file = resolve(source);
    if (!existsSync(file)) throw new Error(`There is no file ${file}.`);
    const keptAs = await restoreDatabase(config, file, 'sidekey restore', new Date());
    if (config.databaseUrl) {
      out(
        `Restored ${file} into the Postgres database; start Sidekey to apply any newer migrations.`,
      );
    } else {
      out(`Restored ${file} into the embedded database in ${config.dataDir}.`);
      if (keptAs)
        out(`The database it replaced is kept in ${keptAs}; delete it once you are sure.`);
    }
    out(SECRET_REMINDER);
    return 0;
  },
};
