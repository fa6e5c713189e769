import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createDb, type Database } from './create-db.ts';

export interface TestDatabase extends Database {
  /** Close the connection and drop what the test created. */
  dispose(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a
 * new database on the server named by DATABASE_URL (CI runs both), so files never
 * see each other's rows.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const database = await createDb();
    return { ...database, dispose: () => database.close() };
  }
  const name = `sidekey_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await createDb({ url: url.toString(), maxConnections: 20 });
  return {
    ...database,
    async dispose() {
      await database.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** True when the suite runs on a real Postgres server rather than embedded PGlite. */
export const onPostgresServer = Boolean(process.env.DATABASE_URL);
