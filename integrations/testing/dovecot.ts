import {
  chownSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startProcess, waitForPort, type RunningProcess } from './processes.ts';

const dovecotDir = fileURLToPath(new URL('../dovecot/', import.meta.url));

/**
 * Who Dovecot runs as. Dovecot refuses to run its login processes as root, and the issue
 * asks for a non-root setup: as root (CI, this container) the whole server runs as `nobody`;
 * as anyone else, as that user, in Dovecot's rootless mode.
 */
function unprivilegedUser() {
  const me = userInfo();
  const account =
    me.uid === 0 ? passwdEntry('nobody') : { name: me.username, uid: me.uid, gid: me.gid };
  return { ...account, group: groupName(account.gid) };
}

function passwdEntry(name: string) {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${name}:`));
  if (!line) throw new Error(`no ${name} user in /etc/passwd to run Dovecot as`);
  const [, , uid, gid] = line.split(':');
  return { name, uid: Number(uid), gid: Number(gid) };
}

function groupName(gid: number) {
  const line = readFileSync('/etc/group', 'utf8')
    .split('\n')
    .find((entry) => entry.split(':')[2] === String(gid));
  if (!line) throw new Error(`no group with id ${gid} in /etc/group`);
  return line.split(':')[0]!;
}

function chownTree(path: string, uid: number, gid: number) {
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path)) chownTree(join(path, entry), uid, gid);
  }
}

export interface RunningDovecot {
  port: number;
  /** The generated dovecot.conf, for `doveadm -c`. */
  config: string;
  log(): string;
  stop(): Promise<void>;
}

/**
 * Installs the shipped files the way sidekey.conf's header tells an operator to — the Lua
 * passdb and the service key file beside the configuration, the shipped sidekey.conf with
 * only its site-specific values (paths, Sidekey's URL) changed — into a temp directory, and
 * starts Dovecot in the foreground there on a free loopback port.
 */
export async function startDovecot(
  binary: string,
  sidekeyUrl: string,
  serviceKey: string,
): Promise<RunningDovecot> {
  // Dovecot runs as another user when we are root: its directory must be reachable by that
  // user, which a private TMPDIR may not be; /tmp always is.
  const base = userInfo().uid === 0 ? '/tmp' : tmpdir();
  const prefix = mkdtempSync(join(base, 'sidekey-dovecot-'));
  for (const folder of ['run', 'state', 'mail']) mkdirSync(join(prefix, folder));
  copyFileSync(join(dovecotDir, 'sidekey-passdb.lua'), join(prefix, 'sidekey-passdb.lua'));
  writeFileSync(join(prefix, 'sidekey-service-key'), `${serviceKey}\n`, { mode: 0o600 });

  const shipped = readFileSync(join(dovecotDir, 'sidekey.conf'), 'utf8');
  const site = shipped
    .replaceAll('/etc/dovecot/', `${prefix}/`)
    .replaceAll('http://127.0.0.1:3000', sidekeyUrl.replace(/\/$/, ''));
  if (site === shipped) throw new Error('sidekey.conf no longer names /etc/dovecot/ paths');
  writeFileSync(join(prefix, 'sidekey.conf'), site);

  const port = await freePort();
  const user = unprivilegedUser();
  const values: Record<string, string | number> = {
    prefix,
    port,
    user: user.name,
    group: user.group,
    uid: user.uid,
    gid: user.gid,
  };
  const template = readFileSync(join(dovecotDir, 'test-dovecot.conf.template'), 'utf8');
  const config = join(prefix, 'dovecot.conf');
  writeFileSync(
    config,
    template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
      if (!(name in values)) throw new Error(`nothing to fill {{${name}}} with`);
      return String(values[name]);
    }),
  );
  chownTree(prefix, user.uid, user.gid);

  const log = () => {
    try {
      return readFileSync(join(prefix, 'dovecot.log'), 'utf8');
    } catch {
      return '';
    }
  };
  const server: RunningProcess = startProcess(binary, ['-F', '-c', config], {
    ...(userInfo().uid === 0 ? { uid: user.uid, gid: user.gid } : {}),
    // Dovecot keeps only the environment it is told to (import_environment).
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  await waitForPort(port, 'Dovecot', () => server.output() + log(), server);
  return {
    port,
    config,
    log,
    async stop() {
      await server.stop();
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
