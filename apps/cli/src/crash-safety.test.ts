import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, createSidekey, MAX_ACTIVE_APP_PASSWORDS, serverKeys } from '@sidekey/core';
import { signUpOwner } from '@sidekey/core/testing';
import { appPasswords, auditEvents, createDb } from '@sidekey/db';
import { asc } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * kill -9 in the middle of bursts of generate, revoke, revoke-all and password changes,
 * a few times over, on whichever database the suite runs on: every transaction is all or
 * nothing, the rows and the audit trail agree, and the embedded directory reopens.
 */
const SECRET = 'crash-test-secret-long-enough-0123456789ab';
const KILLS = 3;
const worker = fileURLToPath(new URL('./crash-worker.ts', import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx');
const dataDir = mkdtempSync(join(tmpdir(), 'sidekey-crash-'));
const serverUrl = process.env.DATABASE_URL;
const admin = serverUrl ? postgres(serverUrl, { max: 1, onnotice: () => {} }) : null;
const dbName = `sidekey_crash_${randomBytes(6).toString('hex')}`;
afterAll(async () => {
  if (admin) {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
  rmSync(dataDir, { recursive: true, force: true });
});

async function databaseUrl() {
  if (!admin) return '';
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  const url = new URL(serverUrl!);
  url.pathname = `/${dbName}`;
  return url.toString();
}

async function open(url: string) {
  const database = await createDb(url ? { url } : { dataDir, holder: 'the test' });
  return createSidekey({
    database,
    keys: serverKeys(SECRET),
    logger: createLogger({ level: 'silent' }),
  });
}

/** Starts the worker, lets it finish `steps` steps (and a moment into the next), then SIGKILL. */
async function burstAndKill(env: Record<string, string>, steps: number) {
  const child = spawn(process.execPath, ['--import', tsx, worker], {
    env: {
      ...process.env,
      SIDEKEY_SECRET: SECRET,
      SIDEKEY_LOG_LEVEL: 'silent',
      SMTP_URL: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if ((output.match(/\./g)?.length ?? 0) >= steps) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the worker exited with ${code}: ${output}`)));
  });
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 50));
  child.kill('SIGKILL');
  await exited;
}

describe('crash safety', () => {
  it(`after each of ${KILLS} kill -9 mid-burst: at most 25 live, no half-done password change, rows and audit agree`, async () => {
    const url = await databaseUrl();
    let sidekey = await open(url);
    const owner = await signUpOwner(sidekey);
    await sidekey.passwords.changePassword(
      owner.accountId,
      owner.session.id,
      { currentPassword: owner.password, newPassword: 'crash test password one' },
      { actor: 'owner' },
    );
    await sidekey.close();
    const env = {
      DATABASE_URL: url,
      SIDEKEY_DATA_DIR: dataDir,
      CRASH_ACCOUNT_ID: owner.accountId,
      CRASH_SESSION_ID: owner.session.id,
    };

    let changesChecked = 0;
    for (let kill = 1; kill <= KILLS; kill++) {
      await burstAndKill(env, 7 + kill * 4);
      // The embedded directory must reopen (the dead worker's lock is stale), every time.
      sidekey = await open(url);
      try {
        const { db } = sidekey.deps;
        const rows = await db.select().from(appPasswords);
        const audit = await db.select().from(auditEvents).orderBy(asc(auditEvents.id));
        const live = rows.filter((row) => row.state !== 'revoked');
        expect(live.length, `kill ${kill}`).toBeLessThanOrEqual(MAX_ACTIVE_APP_PASSWORDS);
        for (const row of rows.filter((r) => r.state === 'revoked')) {
          expect(row.revokedAt, `kill ${kill}: ${row.label} revoked without a time`).not.toBeNull();
          expect(
            row.revokeReason,
            `kill ${kill}: ${row.label} revoked without a reason`,
          ).not.toBeNull();
        }
        // The audit trail tells each credential's story to its current state.
        for (const row of rows) {
          const events = audit.filter((event) => event.credentialId === row.id && event.toState);
          expect(events.length, `kill ${kill}: ${row.label} has no audit`).toBeGreaterThan(0);
          const last = events.at(-1)!;
          expect(last.toState, `kill ${kill}: ${row.label}`).toBe(row.state);
          if (row.state === 'revoked') expect(last.reason).toBe(row.revokeReason);
        }
        // A password change revokes every app password made before it, in the same transaction.
        for (const change of audit.filter((event) => event.action === 'password_changed')) {
          const madeBefore = audit.filter(
            (event) =>
              event.toState === 'pending' && event.fromState === 'new' && event.id < change.id,
          );
          if (madeBefore.length > 0) changesChecked++;
          for (const made of madeBefore) {
            const row = rows.find((r) => r.id === made.credentialId)!;
            expect(row.state, `kill ${kill}: made before a password change, still live`).toBe(
              'revoked',
            );
          }
        }
        expect(rows.length, 'the bursts did some work').toBeGreaterThan(0);
      } finally {
        await sidekey.close();
      }
    }
    expect(changesChecked, 'a password change happened after some generates').toBeGreaterThan(0);
  }, 900_000);
});
