import { existsSync } from 'node:fs';

/**
 * A server binary the integration tests drive for real. Locally, its tests skip with a
 * message saying what to install; on CI (process.env.CI) they must run, so a missing
 * binary fails them instead.
 */
export function requireBinary(path: string, debianPackages: string) {
  const missing = !existsSync(path);
  const skip = missing && !process.env.CI;
  if (skip) {
    console.warn(
      `Skipped: no ${path} here (apt-get install ${debianPackages}); CI runs these tests.`,
    );
  }
  return { path, skip };
}

export const nginx = () => requireBinary(process.env.NGINX_PATH ?? '/usr/sbin/nginx', 'nginx');

export const dovecot = () =>
  requireBinary(
    process.env.DOVECOT_PATH ?? '/usr/sbin/dovecot',
    'dovecot-imapd dovecot-auth-lua lua-cjson',
  );
