import { setTimeout as sleep } from 'node:timers/promises';
import { createDb, type Database } from '@sidekey/db';
import type { SidekeyConfig } from './config.ts';
import type { Logger } from './logger.ts';

/** The database could not be reached (or refused us) at start: told as one sentence. */
export class DatabaseUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUnavailableError';
  }
}

/** Errors that a wait may cure: the server is starting, restarting or not yet reachable. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P03', // cannot_connect_now: the server is starting up or shutting down
  '53300', // too_many_connections
]);

/** What the operator must fix, for failures no wait cures. */
function explainPermanent(error: NodeJS.ErrnoException): string | undefined {
  switch (error.code) {
    case '28P01':
    case '28000':
      return 'the database refused the user or password in DATABASE_URL';
    case '3D000':
      return 'the database named in DATABASE_URL does not exist (create it first)';
    case 'ENOTFOUND':
      return 'the host in DATABASE_URL is not known';
    default:
      return undefined;
  }
}

/**
 * Opens (and migrates) the configured database. A Postgres that does not answer yet is
 * retried with backoff (0.5 s doubling to 5 s) for SIDEKEY_DB_STARTUP_TIMEOUT, so a
 * supervisor starting Sidekey beside its database does not see a crash loop; then, or at
 * once for a mistake no wait cures, one sentence.
 */
export async function openDatabase(
  config: SidekeyConfig,
  log: Logger,
  holder: string,
): Promise<Database> {
  if (!config.databaseUrl) return createDb({ dataDir: config.dataDir, holder });
  const where = describeServer(config.databaseUrl);
  const deadline = performance.now() + config.databaseStartupTimeoutMs;
  for (let delay = 500; ; delay = Math.min(delay * 2, 5000)) {
    try {
      return await createDb({
        url: config.databaseUrl,
        listenUrl: config.listenDatabaseUrl,
        prepare: config.databasePrepare,
      });
    } catch (error) {
      const failure = error as NodeJS.ErrnoException;
      const code = failure.code ?? (failure.cause as NodeJS.ErrnoException | undefined)?.code;
      const permanent = explainPermanent({ ...failure, code } as NodeJS.ErrnoException);
      if (permanent)
        throw new DatabaseUnavailableError(`Cannot open the database at ${where}: ${permanent}.`);
      if (!code || !TRANSIENT_CODES.has(code)) throw error;
      const left = deadline - performance.now();
      if (left <= 0) {
        throw new DatabaseUnavailableError(
          `Cannot reach the database at ${where} (${code}) after ${Math.round(config.databaseStartupTimeoutMs / 1000)} s; check that Postgres is running and DATABASE_URL is right (SIDEKEY_DB_STARTUP_TIMEOUT sets how long to wait).`,
        );
      }
      log.warn(
        { error: code, retryInMs: Math.min(delay, left) },
        'database not reachable yet; retrying',
      );
      await sleep(Math.min(delay, left));
    }
  }
}

/** host:port/database, without the user or password. */
function describeServer(raw: string): string {
  const url = new URL(raw);
  return `${url.hostname}:${url.port || 5432}${url.pathname}`;
}
