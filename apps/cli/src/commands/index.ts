import { backup, restore } from './backup.ts';
import { makeAdmin } from './make-admin.ts';
import { migrate } from './migrate.ts';
import { outbox } from './outbox.ts';
import { prune } from './prune.ts';
import { revokePassword } from './revoke-password.ts';
import { service } from './service.ts';
import type { Command } from './types.ts';

/** Every operator command by name; `sidekey help` lists them in this order. */
export const commands: Record<string, Command> = {
  migrate,
  'make-admin': makeAdmin,
  outbox,
  prune,
  service,
  'revoke-password': revokePassword,
  backup,
  restore,
};
