/**
 * The floor for an uncached verification over HTTP: node:http, one HMAC of the presented
 * password and one prepared indexed lookup by the same driver, pool size and database as
 * Sidekey — nothing else. Run as its own process, like Sidekey, by uncached.bench.ts.
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { appPasswords, createDb } from '@sidekey/db';
import { eq, sql } from 'drizzle-orm';

const url = process.env.DATABASE_URL;
const database = await createDb(
  url ? { url, migrate: false } : { dataDir: process.env.SIDEKEY_DATA_DIR!, migrate: false },
);
const secret = process.env.SIDEKEY_SECRET!;
const lookup = database.db
  .select()
  .from(appPasswords)
  .where(eq(appPasswords.lookupHash, sql.placeholder('hash')))
  .prepare('floor_lookup');

const server = createServer((req, res) => {
  const basic = Buffer.from((req.headers.authorization ?? '').slice(6), 'base64').toString();
  const password = basic.slice(basic.indexOf(':') + 1);
  const canonical = password
    .toLowerCase()
    .replace(/[\s-]+/g, '')
    .slice(4);
  const hash = createHmac('sha256', secret)
    .update('app-password')
    .update('\0')
    .update(canonical)
    .digest('base64url');
  lookup.execute({ hash }).then(
    (rows) => {
      res.writeHead(rows.length === 1 ? 204 : 401);
      res.end();
    },
    () => {
      res.writeHead(503);
      res.end();
    },
  );
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' ? address?.port : ''}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  void database.close().then(() => process.exit(0));
});
