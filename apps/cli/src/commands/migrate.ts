import type { Command } from './types.ts';

/** Opening Sidekey applies pending migrations; this command does only that. */
export const migrate: Command = {
  usage: 'migrate',
  summary: 'apply pending database migrations and exit',
  async run(sidekey, _args, out) {
    out(`Database is up to date (${sidekey.deps.database.engine}).`);
  },
};
