import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { chmodTree, lockDataDir } from './data-dir-lock.ts';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
/** The same Drizzle surface over either engine: services never know which one runs. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** A function that accepts either the database or an open transaction. */
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  engine: 'pglite' | 'postgres';
  /**
   * LISTEN on a channel. `onConnect` runs after every (re)connection, so a cache can
   * flush what it may have missed while the connection was down.
   */
  listen(
    channel: string,
    onMessage: (payload: string) => void,
    onConnect?: () => void,
  ): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

export interface CreateDbOptions {
  /** postgres:// URL; unset → embedded PGlite. */
  url?: string;
  /** PGlite data directory; unset with no url → in memory (tests). */
  dataDir?: string;
  /** Apply committed migrations before returning (default true). */
  migrate?: boolean;
  /** Postgres pool size (default 10). */
  maxConnections?: number;
  /** Who holds the embedded data directory's lock, named to a second process refused (default "server"). */
  holder?: string;
  /**
   * A direct connection for LISTEN (SIDEKEY_LISTEN_DATABASE_URL): a transaction pooler
   * such as PgBouncer cannot carry LISTEN, which needs one session for its whole life.
   * Unset, LISTEN uses `url`.
   */
  listenUrl?: string;
  /**
   * Named prepared statements (default true). PgBouncer before 1.21 (or without
   * `max_prepared_statements`) in transaction mode cannot carry them: set false there.
   */
  prepare?: boolean;
}

export async function createDb(options: CreateDbOptions = {}): Promise<Database> {
  const database = options.url
    ? openPostgres(options.url, options.maxConnections ?? 10, options)
    : await openPglite(options.dataDir, options.holder ?? 'server');
  if (options.migrate !== false) {
    try {
      await migrateDatabase(database);
    } catch (error) {
      await database.close();
      throw error;
    }
  }
  return database;
}

async function openPglite(dataDir: string | undefined, holder: string): Promise<Database> {
  if (!dataDir) return wrapPglite(new PGlite(), () => {});
  // Taken before PGlite touches a file: two processes on one directory destroy it.
  const lock = lockDataDir(dataDir, holder);
  try {
    const client = new PGlite(resolve(dataDir, 'pglite'));
    await client.waitReady;
    // PGlite's file system layer creates files 0666 whatever the umask; the directory is
    // 0700 already, and the files are tightened once open and again when closed.
    chmodTree(dataDir);
    return wrapPglite(client, () => {
      chmodTree(dataDir);
      lock.release();
    });
  } catch (error) {
    lock.release();
    throw error;
  }
}

function wrapPglite(client: PGlite, release: () => void): Database {
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    engine: 'pglite',
    async listen(channel, onMessage, onConnect) {
      const unlisten = await client.listen(channel, onMessage);
      onConnect?.();
      return unlisten;
    },
    async notify(channel, payload) {
      await client.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async close() {
      try {
        if (!client.closed) await client.close();
      } finally {
        release();
      }
    },
  };
}

function openPostgres(
  url: string,
  max: number,
  options: Pick<CreateDbOptions, 'listenUrl' | 'prepare'>,
): Database {
  const client = postgres(url, {
    max,
    onnotice: () => {},
    prepare: options.prepare ?? true,
    // A server that does not answer the handshake is given up on quickly (start-up retries
    // with backoff; a request answers 503); idle connections are recycled, so one broken
    // by a network change is not kept.
    connect_timeout: 5,
    idle_timeout: 60,
  });
  const listener = options.listenUrl
    ? postgres(options.listenUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 })
    : client;
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  return {
    db,
    engine: 'postgres',
    async listen(channel, onMessage, onConnect) {
      // postgres.js keeps a dedicated connection for LISTEN and re-listens after a
      // reconnect; onlisten fires each time, which is when a cache must flush.
      const subscription = await listener.listen(channel, onMessage, onConnect);
      return () => subscription.unlisten();
    },
    async notify(channel, payload) {
      await client.notify(channel, payload);
    },
    close: async () => {
      await client.end({ timeout: 5 });
      if (listener !== client) await listener.end({ timeout: 5 });
    },
  };
}

export async function migrateDatabase(database: Database): Promise<void> {
  const migrationsFolder = findMigrationsFolder();
  if (database.engine === 'pglite') {
    await migratePglite(database.db as never, { migrationsFolder });
  } else {
    await migratePostgres(database.db as never, { migrationsFolder });
  }
}

/**
 * The committed SQL migrations. Beside this file in the source tree; when an app
 * bundles this package, found through the package's own name instead.
 */
export function findMigrationsFolder(): string {
  const fromSource = fileURLToPath(new URL('../migrations', import.meta.url));
  if (existsSync(join(fromSource, 'meta'))) return fromSource;
  // From a bundle, Node's resolution walks up from the bundle to the app's node_modules.
  const packageJson = createRequire(import.meta.url).resolve('@sidekey/db/package.json');
  return join(dirname(packageJson), 'migrations');
}
