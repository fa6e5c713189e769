import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Everything sidekey-dovecot needs, read once at start. */
export interface CompanionConfig {
  url: string;
  serviceKey: string;
  /** The doveadm command and its leading arguments (`-c <config>`). */
  doveadm: string[];
  /** Where the id of the last handled event is kept, so a restart resumes after it. */
  stateFile: string;
}

export class ConfigError extends Error {}

/**
 * KEY=VALUE lines, `#` comments — the format of systemd's EnvironmentFile=, so one file
 * serves the unit and a manual `sidekey-dovecot --config FILE` alike.
 */
export function parseConfigFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match) throw new ConfigError(`line ${index + 1}: expected KEY=VALUE`);
    values[match[1]!] = match[2]!.replace(/^(["'])(.*)\1$/, '$2');
  }
  return values;
}

/**
 * From the environment (over the file, when one is given). The service key is read from
 * SIDEKEY_SERVICE_KEY_FILE, so it never sits in the environment of every child process;
 * SIDEKEY_SERVICE_KEY works too, for a quick try.
 */
export function readCompanionConfig(
  env: Record<string, string | undefined>,
  file?: string,
): CompanionConfig {
  const values = { ...(file ? parseConfigFile(readFileSync(file, 'utf8')) : {}), ...env };
  const required = (name: string) => {
    const value = values[name];
    if (!value) throw new ConfigError(`Set ${name} (see sidekey-dovecot --help).`);
    return value;
  };
  const url = required('SIDEKEY_URL');
  try {
    new URL(url);
  } catch {
    throw new ConfigError(`SIDEKEY_URL is not a URL: ${url}`);
  }
  const serviceKey = values.SIDEKEY_SERVICE_KEY_FILE
    ? readFileSync(values.SIDEKEY_SERVICE_KEY_FILE, 'utf8').trim()
    : required('SIDEKEY_SERVICE_KEY');
  if (!serviceKey) throw new ConfigError('The service key file is empty.');
  const doveadm = [values.DOVEADM || 'doveadm'];
  if (values.DOVECOT_CONFIG) doveadm.push('-c', values.DOVECOT_CONFIG);
  // systemd's StateDirectory= hands the directory over in STATE_DIRECTORY.
  const stateFile =
    values.SIDEKEY_EVENTS_STATE_FILE ||
    (values.STATE_DIRECTORY ? join(values.STATE_DIRECTORY, 'last-event-id') : undefined);
  if (!stateFile) {
    throw new ConfigError(
      'Set SIDEKEY_EVENTS_STATE_FILE (or run under systemd with StateDirectory=): without it a restart would miss revocations.',
    );
  }
  return { url, serviceKey, doveadm, stateFile };
}
