import type { Database, Db } from '@sidekey/db';
import type { Logger } from './logger.ts';
import type { ServerKeys } from './secrets/server-keys.ts';

/** What every service is built from. `now` is injectable so time-based rules are testable. */
export interface Deps {
  database: Database;
  db: Db;
  keys: ServerKeys;
  log: Logger;
  now: () => Date;
}

/** Who did something, from where: recorded with every audit event (never a secret). */
export interface ActorMeta {
  actor: 'owner' | 'service' | 'system' | 'admin' | 'operator' | 'anonymous';
  address?: string | null;
  userAgent?: string | null;
}
