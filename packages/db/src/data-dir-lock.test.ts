import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb } from './create-db.ts';
import { DataDirLockedError, LOCK_FILE, lockDataDir, lockHolder } from './data-dir-lock.ts';

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sidekey-lock-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A live process of its own, to stand for another Sidekey holding the directory. */
function otherProcess() {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return { pid: child.pid!, kill9: async () => (child.kill('SIGKILL'), await exited) };
}

function startTimeOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

describe('the embedded data directory lock', () => {
  it('refuses a second holder at once, naming the running process', () => {
    const dir = freshDir();
    const first = lockDataDir(dir, 'server');
    // In this same process too: a second PGlite on the same files corrupts them just the same.
    expect(() => lockDataDir(dir, 'sidekey prune')).toThrow(DataDirLockedError);
    expect(() => lockDataDir(dir, 'sidekey prune')).toThrow(
      new RegExp(`in use by Sidekey's server \\(pid ${process.pid}\\).*stop that process first`),
    );
    first.release();
    lockDataDir(dir, 'sidekey prune').release();
  });

  it('refuses while another live process holds it; after kill -9 of that process the lock is stale and taken over', async () => {
    const dir = freshDir();
    const other = otherProcess();
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({
        pid: other.pid,
        startTime: startTimeOf(other.pid),
        purpose: 'server',
        since: 'x',
      }),
    );
    expect(lockHolder(dir)?.pid).toBe(other.pid);
    expect(() => lockDataDir(dir, 'server')).toThrow(`(pid ${other.pid})`);
    await other.kill9();
    expect(lockHolder(dir)).toBeUndefined();
    const lock = lockDataDir(dir, 'server');
    expect(lock.holder.pid).toBe(process.pid);
    lock.release();
  });

  it('does not mistake a reused pid for the holder (a container restart gives the same pid 1)', () => {
    const dir = freshDir();
    // This process's pid, but a start time it never had: the holder died and its pid was reused.
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({ pid: process.pid, startTime: '1', purpose: 'server', since: 'x' }),
    );
    lockDataDir(dir, 'server').release();
  });

  it('treats an unreadable lock file as stale rather than blocking forever', () => {
    const dir = freshDir();
    writeFileSync(join(dir, LOCK_FILE), 'garbage');
    lockDataDir(dir, 'server').release();
  });

  it('keeps the directory and the database files private to the service user', async () => {
    const dir = freshDir();
    const database = await createDb({ dataDir: dir });
    await database.close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const open: string[] = [];
    const walk = (path: string) => {
      for (const entry of readdirSync(path, { withFileTypes: true })) {
        const full = join(path, entry.name);
        if (statSync(full).mode & 0o077) open.push(full);
        if (entry.isDirectory()) walk(full);
      }
    };
    walk(dir);
    expect(open).toEqual([]);
    // Closing released the lock: the directory opens again.
    const again = await createDb({ dataDir: dir, migrate: false });
    await expect(createDb({ dataDir: dir, holder: 'sidekey prune' })).rejects.toThrow(
      DataDirLockedError,
    );
    await again.close();
  }, 180_000);
});
