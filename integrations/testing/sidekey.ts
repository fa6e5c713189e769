import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { openSidekey, readConfig, type AppPasswordScope } from '@sidekey/core';
import { signUpOwner } from '@sidekey/core/testing';
// The web app's own launcher: `node server.js` from the build, exactly as `pnpm start` runs
// it. A test helper, not app code, so the "nothing imports apps/" arrow still holds.
import { startSidekey, type RunningSidekey } from '../../apps/web/test/start.ts';

const CLI = fileURLToPath(new URL('../../apps/cli/bin/sidekey.js', import.meta.url));

/** A credential the test can log in with, and revoke while the server runs. */
export interface TestAppPassword {
  id: string;
  password: string;
}

export interface SidekeyForIntegration {
  sidekey: RunningSidekey;
  /** host:port, for an nginx upstream. */
  address: string;
  serviceKey: string;
  owner: { email: string; sessionToken: string };
  appPasswords: Record<string, TestAppPassword>;
  /** Revokes through the running server's API, as the owner would from the web UI. */
  revoke(credentialId: string): Promise<void>;
  /** Stops Sidekey and starts it again on the same port and data (a deploy, a crash). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Sidekey as an operator runs it, seeded before it starts: a registered relying service
 * (through the CLI, as the README tells operators), an owner with two-factor on and app
 * passwords with the scopes the test asks for. Seeding happens before the server opens
 * the database because the embedded PGlite admits one process at a time; on Postgres the
 * same steps run against DATABASE_URL.
 */
export async function startSeededSidekey(
  appPasswordScopes: Record<string, AppPasswordScope[]>,
  serviceName: string,
  options: { serverEnv?: Record<string, string> } = {},
): Promise<SidekeyForIntegration> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sidekey-integration-'));
  const database = process.env.DATABASE_URL
    ? await createPostgresDatabase(process.env.DATABASE_URL)
    : undefined;
  const env: Record<string, string> = database
    ? {
        DATABASE_URL: database.url,
        SIDEKEY_SECRET: 'integration-test-secret-long-enough-0123456789',
      }
    : { SIDEKEY_DATA_DIR: dataDir, DATABASE_URL: '' };

  const serviceKey = await addService(serviceName, env);

  const core = await openSidekey(readConfig({ ...process.env, ...env, SIDEKEY_LOG_LEVEL: 'warn' }));
  let owner;
  const appPasswords: Record<string, TestAppPassword> = {};
  try {
    owner = await signUpOwner(core);
    for (const [label, scopes] of Object.entries(appPasswordScopes)) {
      const generated = await core.appPasswords.generate(
        owner.accountId,
        { label, scopes },
        { actor: 'owner', address: '127.0.0.1' },
      );
      appPasswords[label] = { id: generated.id, password: generated.password };
    }
  } finally {
    await core.close();
  }

  let sidekey = await startSidekey({ ...env, ...options.serverEnv });
  const sessionCookie = `sidekey_session=${owner.sessionToken}`;
  return {
    get sidekey() {
      return sidekey;
    },
    address: new URL(sidekey.url).host,
    serviceKey,
    owner: { email: owner.email, sessionToken: owner.sessionToken },
    appPasswords,
    async revoke(credentialId) {
      const response = await fetch(new URL('/api/trpc/appPasswords.revoke', sidekey.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: sessionCookie },
        body: JSON.stringify({ json: { id: credentialId } }),
      });
      if (!response.ok)
        throw new Error(`revoke answered ${response.status}: ${await response.text()}`);
    },
    async restart() {
      const port = new URL(sidekey.url).port;
      await sidekey.stop();
      sidekey = await startSidekey({ ...env, PORT: port });
    },
    async stop() {
      await sidekey.stop();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `sidekey service add <name> --services …`: registers a relying service and prints its
 * key once. One key serves the nginx (DAV) and Dovecot (mail) tests, so it gets them all.
 */
async function addService(name: string, env: Record<string, string>): Promise<string> {
  const protocols = 'imap,pop3,smtp,caldav,carddav,webdav';
  const child = spawn(process.execPath, [CLI, 'service', 'add', name, '--services', protocols], {
    env: { ...process.env, ...env, SIDEKEY_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  const key = output.match(/sksvc_[A-Za-z0-9_-]{43}/)?.[0];
  if (code !== 0 || !key)
    throw new Error(`sidekey service add ${name} failed (${code}):\n${output}`);
  return key;
}

/**
 * A fresh database on the Postgres server of DATABASE_URL, so throttling and service names
 * from other test files or earlier runs never leak in (as @sidekey/db/testing does for core).
 */
async function createPostgresDatabase(serverUrl: string) {
  const name = `sidekey_integration_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
