import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createSidekey, serverKeys } from '@sidekey/core';
import { signUpOwner } from '@sidekey/core/testing';
import { accounts, appPasswords, auditEvents, createDb, sessions } from '@sidekey/db';
import { asc } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../run.ts';

// A backup is only as good as its restore: every row an operator would miss must come back.
const SECRET = 'backup-test-secret-long-enough-0123456789';
const work = mkdtempSync(join(tmpdir(), 'sidekey-backup-'));
const serverUrl = process.env.DATABASE_URL;
const admin = serverUrl ? postgres(serverUrl, { max: 1, onnotice: () => {} }) : null;
const created: string[] = [];
afterAll(async () => {
  for (const name of created) await admin!.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin?.end();
  rmSync(work, { recursive: true, force: true });
});

/** The environment of one installation: an embedded data directory, or a fresh Postgres database. */
async function installation(label: string) {
  const dataDir = join(work, label);
  if (!serverUrl) return { env: { DATABASE_URL: '', SIDEKEY_DATA_DIR: dataDir }, dataDir };
  const name = `sidekey_backup_${randomBytes(6).toString('hex')}`;
  await admin!.unsafe(`CREATE DATABASE ${name}`);
  created.push(name);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { env: { DATABASE_URL: url.toString(), SIDEKEY_DATA_DIR: dataDir }, dataDir };
}

async function cli(env: Record<string, string>, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const status = await runCli(args, {
    env: {
      ...process.env,
      SIDEKEY_SECRET: SECRET,
      SIDEKEY_LOG_LEVEL: 'silent',
      SMTP_URL: '',
      ...env,
    },
    out: (line) => (stdout += `${line}\n`),
    err: (line) => (stderr += `${line}\n`),
  });
  return { status, stdout, stderr };
}

async function open(env: Record<string, string>) {
  const database = await createDb(
    env.DATABASE_URL
      ? { url: env.DATABASE_URL }
      : { dataDir: env.SIDEKEY_DATA_DIR!, holder: 'the test' },
  );
  const sidekey = createSidekey({
    database,
    keys: serverKeys(SECRET),
    logger: createLogger({ level: 'silent' }),
  });
  return sidekey;
}

async function everyRow(sidekey: Awaited<ReturnType<typeof open>>) {
  const { db } = sidekey.deps;
  return {
    accounts: await db.select().from(accounts).orderBy(asc(accounts.id)),
    appPasswords: await db.select().from(appPasswords).orderBy(asc(appPasswords.id)),
    sessions: await db.select().from(sessions).orderBy(asc(sessions.id)),
    auditEvents: await db.select().from(auditEvents).orderBy(asc(auditEvents.id)),
  };
}

describe('sidekey backup and restore', () => {
  it('a round trip keeps every account, credential, session and audit row; the passwords still verify', async () => {
    const source = await installation('source');
    expect((await cli(source.env, 'migrate')).status).toBe(0);
    let sidekey = await open(source.env);
    const owner = await signUpOwner(sidekey);
    const kept = await sidekey.appPasswords.generate(
      owner.accountId,
      { label: 'Kept' },
      { actor: 'owner' },
    );
    const gone = await sidekey.appPasswords.generate(
      owner.accountId,
      { label: 'Gone' },
      { actor: 'owner' },
    );
    await sidekey.appPasswords.revoke(owner.accountId, gone.id, { actor: 'owner' });
    await sidekey.verify({ username: owner.email, password: kept.password, service: 'imap' });
    const before = await everyRow(sidekey);
    await sidekey.close();
    expect(before.auditEvents.length).toBeGreaterThan(3);

    const file = join(work, 'sidekey.backup');
    const backedUp = await cli(source.env, 'backup', file);
    expect(backedUp.stderr).toBe('');
    expect(backedUp.stdout).toContain('The server secret is not in the backup');
    expect(statSync(file).mode & 0o077).toBe(0);
    expect((await cli(source.env, 'backup', file)).stderr).toContain('exists already');

    const target = await installation('target');
    if (!serverUrl) {
      // Restoring over an existing embedded database keeps the old one aside.
      expect((await cli(target.env, 'migrate')).status).toBe(0);
    }
    const restored = await cli(target.env, 'restore', file);
    expect(restored.stderr).toBe('');
    if (!serverUrl) expect(restored.stdout).toContain('The database it replaced is kept in');

    sidekey = await open(target.env);
    try {
      expect(await everyRow(sidekey)).toEqual(before);
      expect(
        await sidekey.verify({ username: owner.email, password: kept.password, service: 'imap' }),
      ).toMatchObject({ ok: true, credentialId: kept.id });
      expect(
        await sidekey.verify({ username: owner.email, password: gone.password, service: 'imap' }),
      ).toEqual({ ok: false, reason: 'revoked' });
    } finally {
      await sidekey.close();
    }
  });

  it('refuses a missing file and bad usage in a sentence', async () => {
    const target = await installation('empty');
    expect((await cli(target.env, 'restore', join(work, 'nothing-here'))).stderr).toContain(
      'There is no file',
    );
    expect((await cli(target.env, 'backup')).stderr).toContain('Usage: sidekey backup <file>');
  });
});
