import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * One writer per embedded data directory. PGlite is a single-process Postgres: a second
 * process opening the same files corrupts them. The lock is a file created atomically
 * (link(2) fails if it exists) holding the holder's pid and its kernel start time, so:
 * - a second process is refused at once, with the pid it can act on;
 * - a lock left by a process killed with SIGKILL is recognised as stale (no process with
 *   that pid, or one that started at another time — a pid reused after a restart, as a
 *   container's pid 1 always is) and taken over without waiting.
 * An mtime-refreshed lock (proper-lockfile) could not name the holder and keeps a dead
 * holder's lock for its whole staleness period; this one needs neither.
 */
export const LOCK_FILE = 'sidekey.lock';

export interface LockHolder {
  pid: number;
  /** Kernel start time of the holder (/proc/<pid>/stat field 22); absent off Linux. */
  startTime?: string;
  /** What holds it: "server", "sidekey prune", … */
  purpose: string;
  since: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The data directory ${dataDir} is in use by ${describeHolder(holder)} (pid ${holder.pid}); ` +
        `only one process may open an embedded database: stop that process first (on Postgres, commands and servers can run side by side).`,
    );
    this.name = 'DataDirLockedError';
  }
}

function describeHolder(holder: LockHolder): string {
  return holder.purpose === 'server'
    ? "Sidekey's server"
    : `another Sidekey process (${holder.purpose})`;
}

export interface DataDirLock {
  holder: LockHolder;
  release(): void;
}

/** The data directory and everything Sidekey writes in it is the service user's alone. */
export function makePrivate(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  restrictUmask();
}

/** New files get 0600 and directories 0700, whatever the library creating them asks for. */
function restrictUmask(): void {
  try {
    const previous = process.umask(0o077);
    process.umask(previous | 0o077);
  } catch {
    // Worker threads cannot change the umask; the chmod of existing files still applies.
  }
}

/** Tightens files an older version (or another umask) left group- or world-readable. */
export function chmodTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      chmodSync(path, 0o700);
      chmodTree(path);
    } else if (entry.isFile()) {
      const mode = statSync(path).mode & 0o777;
      if (mode & 0o077) chmodSync(path, mode & 0o700);
    }
  }
}

export function lockDataDir(dataDir: string, purpose: string): DataDirLock {
  makePrivate(dataDir);
  const file = join(dataDir, LOCK_FILE);
  const holder: LockHolder = {
    pid: process.pid,
    startTime: startTimeOf(process.pid),
    purpose,
    since: new Date().toISOString(),
  };
  // Written whole to a private name first, then linked into place: a reader never sees
  // a half-written lock, and link(2) fails atomically when another process won.
  const temporary = join(dataDir, `.${LOCK_FILE}.${process.pid}.${randomBytes(4).toString('hex')}`);
  writeFileSync(temporary, `${JSON.stringify(holder)}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(temporary, file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw error;
      }
      const current = readHolder(file);
      if (current && isAlive(current)) throw new DataDirLockedError(dataDir, current);
      removeIfUnchanged(file, current);
    }
  } finally {
    unlinkSync(temporary);
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    const current = readHolder(file);
    if (current?.pid === holder.pid && current.since === holder.since) unlinkSync(file);
  };
  // A normal exit (even without close) frees it; SIGKILL leaves it, and the next start sees it is stale.
  process.on('exit', release);
  return { holder, release };
}

/** Who holds the directory's lock now, if a live process does. */
export function lockHolder(dataDir: string): LockHolder | undefined {
  const current = readHolder(join(dataDir, LOCK_FILE));
  return current && isAlive(current) ? current : undefined;
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
    return Number.isInteger(parsed.pid) ? parsed : undefined;
  } catch {
    return undefined; // gone, or not ours: treated as stale
  }
}

function removeIfUnchanged(file: string, seen: LockHolder | undefined): void {
  const now = readHolder(file);
  if (now && seen && (now.pid !== seen.pid || now.since !== seen.since)) return; // someone else just took it
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function isAlive(holder: LockHolder): boolean {
  if (holder.pid === process.pid && holder.startTime === startTimeOf(process.pid)) {
    return true; // this very process already holds it: a second open here would corrupt it too
  }
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // The pid is in use; by the same process only if it started when the holder did.
  const startTime = startTimeOf(holder.pid);
  return !holder.startTime || !startTime || startTime === holder.startTime;
}

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
