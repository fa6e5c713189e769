import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createSidekey, serverKeys, type SidekeyOptions } from '@sidekey/core';
import { createDb } from '@sidekey/db';

const bin = new URL('../bin/sidekey.js', import.meta.url).pathname;

/**
 * The real `sidekey` binary on an embedded data directory of its own, as an operator
 * runs it, and Sidekey opened on that same directory the way the server would — to set
 * up what a command acts on, or to check what it did. Run the CLI once before `open`:
 * its first start writes the secret.
 */
export function cliSandbox(name: string) {
  const dataDir = mkdtempSync(join(tmpdir(), `sidekey-cli-${name}-`));
  const env = {
    ...process.env,
    DATABASE_URL: '',
    SMTP_URL: '',
    SIDEKEY_DATA_DIR: dataDir,
    SIDEKEY_LOG_LEVEL: 'silent',
  };
  return {
    dataDir,
    run: (...args: string[]) =>
      spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' }),
    async open(options: Partial<Omit<SidekeyOptions, 'database' | 'keys'>> = {}) {
      const database = await createDb({ dataDir });
      const secret = readFileSync(join(dataDir, 'secret'), 'utf8').trim();
      return createSidekey({
        database,
        keys: serverKeys(secret),
        logger: createLogger({ level: 'silent' }),
        ...options,
      });
    },
    remove: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}
