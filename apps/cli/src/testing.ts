import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createSidekey, serverKeys, type SidekeyOptions } from '@sidekey/core';
import { createDb } from '@sidekey/db';
import { runCli } from './run.ts';

const bin = new URL('../bin/sidekey.js', import.meta.url).pathname;

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A `sidekey` on an embedded data directory of its own, as an operator runs it, and
 * Sidekey opened on that same directory the way the server would — to set up what a
 * command acts on, or to check what it did. Run the CLI once before `open`: its first
 * start writes the secret.
 *
 * `run` calls the CLI in this process (each spawn would load a TypeScript loader, which
 * takes many seconds on a busy machine); `spawn` runs the real binary, for the few tests
 * about the binary itself.
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
    env,
    async run(...args: string[]): Promise<CliResult> {
      let stdout = '';
      let stderr = '';
      const status = await runCli(args, {
        env,
        out: (line) => (stdout += `${line}\n`),
        err: (line) => (stderr += `${line}\n`),
      });
      return { status, stdout, stderr };
    },
    spawn(...args: string[]): Promise<CliResult> {
      const child = spawn(process.execPath, [bin, ...args], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      return new Promise((resolve) =>
        child.on('exit', (status) => resolve({ status, stdout, stderr })),
      );
    },
    async open(options: Partial<Omit<SidekeyOptions, 'database' | 'keys'>> = {}) {
      const database = await createDb({ dataDir, holder: 'the test' });
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
