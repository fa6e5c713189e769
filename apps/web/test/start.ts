import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb, outbox } from '@sidekey/db';
import { desc, eq } from 'drizzle-orm';

const appDir = fileURLToPath(new URL('..', import.meta.url));

export interface RunningSidekey {
  url: string;
  dataDir: string;
  process: ChildProcess;
  output: () => string;
  /** The Postgres database it runs on, if any (else its own embedded one). */
  databaseUrl: string | undefined;
  stop(): Promise<void>;
}

/** Links already returned by mailedToken, per server (see there). */
const handedOut = new WeakMap<RunningSidekey, Set<string>>();

/**
 * The token of the newest link to `path` (say `/sign-up/confirm`) mailed to `email`, read
 * where an operator would without SMTP: the outbox on Postgres, or the log line that the
 * embedded default writes for it.
 */
export async function mailedToken(app: RunningSidekey, email: string, path: string) {
  const pattern = new RegExp(`${path.replace(/\//g, '\\/')}#token=([^"\\s]+)`, 'g');
  for (let tries = 0; tries < 100; tries++) {
    if (app.databaseUrl) {
      const text = await mailBodies(app.databaseUrl, email);
      const first = [...text.matchAll(pattern)][0];
      if (first) return first[1]!;
    } else {
      // The log line names no recipient: take the newest link not handed out before, so two
      // sign-ups in a row never get each other's (mail goes out after the answer).
      const given = handedOut.get(app) ?? new Set<string>();
      handedOut.set(app, given);
      const fresh = [...app.output().matchAll(pattern)]
        .map((match) => match[1]!)
        .filter((token) => !given.has(token))
        .at(-1);
      if (fresh) {
        given.add(fresh);
        return fresh;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no ${path} link was mailed to ${email}`);
}

/** Every body mailed to `email`, newest first, as the outbox holds them. */
async function mailBodies(databaseUrl: string, email: string): Promise<string> {
  const database = await createDb({ url: databaseUrl, migrate: false, maxConnections: 1 });
  try {
    const mails = await database.db
      .select()
      .from(outbox)
      .where(eq(outbox.recipient, email))
      .orderBy(desc(outbox.id));
    return mails.map((mail) => mail.body).join('\n');
  } finally {
    await database.close();
  }
}

/**
 * Starts the built app exactly as `pnpm start` does (node server.js) on a free port,
 * with its own embedded data directory unless DATABASE_URL is set, and waits for the
 * URL it prints.
 */
export async function startSidekey(
  env: Record<string, string> = {},
  options: { dataDir?: string; keepDataDir?: boolean } = {},
): Promise<RunningSidekey> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sidekey-web-'));
  const child = spawn(process.execPath, ['server.js'], {
    cwd: appDir,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      SIDEKEY_DATA_DIR: dataDir,
      // info: the embedded default logs the links it mails (see mailedToken).
      SIDEKEY_LOG_LEVEL: 'info',
      // Room for a loaded test machine; the outage test sets the production default.
      SIDEKEY_REQUEST_DEADLINE_MS: '5000',
      ...(process.env.DATABASE_URL
        ? { SIDEKEY_SECRET: 'web-test-secret-long-enough-0123456789abc' }
        : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Sidekey did not start:\n${output}`)), 60_000);
    child.stdout!.on('data', () => {
      const match = output.match(/Sidekey is running at (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`Sidekey exited with ${code}:\n${output}`)));
  });
  return {
    url,
    dataDir,
    process: child,
    output: () => output,
    databaseUrl: env.DATABASE_URL ?? process.env.DATABASE_URL,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      if (!options.keepDataDir && !options.dataDir)
        rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ServerRun {
  code: number | null;
  stderr: string;
  stdout: string;
  ms: number;
}

/** Runs server.js expecting it to refuse to start; resolves with what it said and how fast. */
export function runServerExpectingExit(
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<ServerRun> {
  const started = performance.now();
  const child = spawn(process.execPath, ['server.js'], {
    cwd: appDir,
    env: { ...process.env, HOST: '127.0.0.1', SIDEKEY_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server.js did not exit within ${timeoutMs} ms:\n${stdout}${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}
