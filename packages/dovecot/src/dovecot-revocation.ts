import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What the handler needs of a revocation event from Sidekey's service.events. */
export interface Revocation {
  username: string;
  credentialId: string;
  reason: string;
}

export interface DovecotRevocationOptions {
  /** The doveadm command and its leading arguments, e.g. ['doveadm', '-c', '/etc/dovecot/dovecot.conf']. */
  doveadm?: string[];
  /** Where each step is reported (never a secret: events carry none). */
  log?: (line: string) => void;
}

/**
 * doveadm takes a user *mask*: `*` and `?` are wildcards, so an account name containing them
 * could kick or flush other users. A leading dash would be read as an option. Sidekey's
 * account names are email addresses, which never need any of these here.
 */
function assertPlainUsername(username: string) {
  if (!username || /[*?\s\0]/.test(username) || username.startsWith('-')) {
    throw new Error(`refusing to pass “${username}” to doveadm: not a plain user name`);
  }
}

/**
 * For one revoked app password, in this order:
 * 1. `doveadm auth cache flush <user>`: the auth cache may hold the revoked password as a
 *    recent success (auth_cache_ttl); flushing first means a kicked app that reconnects at
 *    once is checked against Sidekey again, and refused.
 * 2. `doveadm kick <user>`: closes the user's open IMAP/POP3 sessions, which Dovecot never
 *    re-checks by itself — an app logged in before the revocation would otherwise keep
 *    reading mail until it disconnects.
 * Sessions are per user in Dovecot, not per credential, so the owner's other apps are
 * disconnected too; they log in again at once with their own, still valid, app passwords.
 */
export function dovecotRevocationHandler(options: DovecotRevocationOptions = {}) {
  const [command, ...leading] = options.doveadm ?? ['doveadm'];
  const log = options.log ?? (() => {});
  return async (revocation: Revocation) => {
    const user = revocation.username;
    assertPlainUsername(user);
    await run(command!, [...leading, 'auth', 'cache', 'flush', user]);
    const kicked = await kick(command!, leading, user);
    log(
      `credential ${revocation.credentialId} of ${user} revoked (${revocation.reason}): auth cache flushed, ${kicked}`,
    );
  };
}

async function kick(command: string, leading: string[], user: string): Promise<string> {
  try {
    const { stdout } = await run(command, [...leading, 'kick', user]);
    return stdout.trim() ? `kicked ${stdout.trim().replace(/\s+/g, ' ')}` : 'no open sessions';
  } catch (error) {
    // doveadm kick exits non-zero when the user has no open session: nothing to do.
    const { stderr = '', stdout = '' } = error as { stderr?: string; stdout?: string };
    if (/no users kicked/i.test(`${stdout}${stderr}`)) return 'no open sessions';
    throw error;
  }
}
