import { randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_AUDIT_RETENTION_DAYS } from './housekeeping.ts';
import { readConnectEndpoints, type ConnectEndpoints } from './connect/endpoints.ts';
import { createLogger, type Logger } from './logger.ts';
import { openDatabase } from './open-database.ts';
import { MIN_SECRET_LENGTH, serverKeys } from './secrets/server-keys.ts';
import { createSidekey, type Sidekey } from './sidekey.ts';

/** Everything wrong with the configuration, one plain sentence per mistake. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** Everything an operator sets through the environment; README's table lists the same. */
export interface SidekeyConfig {
  databaseUrl: string | undefined;
  /** A direct Postgres connection for LISTEN when DATABASE_URL goes through a transaction pooler. */
  listenDatabaseUrl: string | undefined;
  /** Named prepared statements; off by default behind a pooler (SIDEKEY_DATABASE_PREPARE). */
  databasePrepare: boolean;
  dataDir: string;
  secret: string | undefined;
  previousSecrets: string[];
  port: number;
  host: string;
  origin: string;
  smtpUrl: string | undefined;
  /** Sender of Sidekey's mail (SMTP_FROM). */
  mailFrom: string | undefined;
  /** How long a password-reset link works, in ms (SIDEKEY_RESET_TTL, minutes). */
  resetTtlMs: number;
  /** Audit events are kept this many days (SIDEKEY_AUDIT_RETENTION_DAYS), then pruned. */
  auditRetentionDays: number;
  logLevel: string;
  /** When set, GET /metrics needs `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** The mail and DAV servers owners' apps connect to (SIDEKEY_IMAP, SIDEKEY_CALDAV, …). */
  connect: ConnectEndpoints;
  /** How long start-up keeps retrying an unreachable database, in ms (SIDEKEY_DB_STARTUP_TIMEOUT, seconds). */
  databaseStartupTimeoutMs: number;
  /** How long /auth/verify, /auth/basic and /healthz may take before answering 503 (SIDEKEY_REQUEST_DEADLINE_MS). */
  requestDeadlineMs: number;
}

/**
 * Reads and checks the environment before anything is opened, so every mistake is told
 * at once, in a sentence, instead of as a stack trace after the database has started.
 * Values that may hold a secret (DATABASE_URL, SIDEKEY_SECRET) are never repeated.
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): SidekeyConfig {
  const problems: string[] = [];
  const port = Number(env.PORT || 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push(`PORT must be a whole number from 0 to 65535, not “${env.PORT}”.`);
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl) problems.push(...checkDatabaseUrl(databaseUrl));
  const secret = env.SIDEKEY_SECRET || undefined;
  if (secret && secret.length < MIN_SECRET_LENGTH)
    problems.push(
      `SIDEKEY_SECRET must be at least ${MIN_SECRET_LENGTH} characters long (it has ${secret.length}); make one with: openssl rand -base64 32`,
    );
  if (databaseUrl && !secret)
    problems.push(
      'SIDEKEY_SECRET must be set when DATABASE_URL is: every node must share the same server secret (make one with: openssl rand -base64 32).',
    );
  const previousSecrets = (env.SIDEKEY_PREVIOUS_SECRETS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (previousSecrets.some((s) => s.length < MIN_SECRET_LENGTH))
    problems.push(
      `Every secret in SIDEKEY_PREVIOUS_SECRETS must be at least ${MIN_SECRET_LENGTH} characters long.`,
    );
  const dataDir = resolve(env.SIDEKEY_DATA_DIR || '.data');
  // The embedded database lives there, and so does the generated secret.
  if (!databaseUrl || !secret) problems.push(...checkWritableDirectory(dataDir));
  const resetTtlMs = attempt(problems, () => readResetTtl(env.SIDEKEY_RESET_TTL)) ?? 0;
  const databaseStartupTimeoutMs = readStartupTimeout(env.SIDEKEY_DB_STARTUP_TIMEOUT, problems);
  const requestDeadlineMs = Number(env.SIDEKEY_REQUEST_DEADLINE_MS || 1000);
  if (!Number.isInteger(requestDeadlineMs) || requestDeadlineMs < 100 || requestDeadlineMs > 60_000)
    problems.push(
      `SIDEKEY_REQUEST_DEADLINE_MS must be a whole number of milliseconds from 100 to 60000, not “${env.SIDEKEY_REQUEST_DEADLINE_MS}”.`,
    );
  const databasePrepare =
    attempt(problems, () =>
      readPrepare(env.SIDEKEY_DATABASE_PREPARE, !!env.SIDEKEY_LISTEN_DATABASE_URL),
    ) ?? true;
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    databaseUrl,
    dataDir,
    secret,
    previousSecrets,
    databaseStartupTimeoutMs,
    requestDeadlineMs,
    listenDatabaseUrl: env.SIDEKEY_LISTEN_DATABASE_URL || undefined,
    databasePrepare,
    port,
    host: env.HOST || '0.0.0.0',
    // Links in mail must not follow a request's Host header; unset, they point at this machine.
    origin: env.ORIGIN || `http://localhost:${port || 3000}`,
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.SMTP_FROM || undefined,
    resetTtlMs,
    auditRetentionDays: readAuditRetention(env.SIDEKEY_AUDIT_RETENTION_DAYS),
    logLevel: env.SIDEKEY_LOG_LEVEL || 'info',
    metricsToken: env.SIDEKEY_METRICS_TOKEN || undefined,
    connect: readConnectEndpoints(env),
  };
}

/**
 * The server secret: from SIDEKEY_SECRET, which Postgres deployments must set (every
 * node needs the same one); on the embedded default, generated once into the data dir.
 */
export function resolveSecret(config: SidekeyConfig, log: Logger): string {
  if (config.secret) return config.secret;
  if (config.databaseUrl) {
    throw new Error(
      'SIDEKEY_SECRET must be set when DATABASE_URL is: every node must share the same server secret.',
    );
  }
  const file = join(config.dataDir, 'secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  log.warn(
    { file },
    'generated a server secret into the data directory; set SIDEKEY_SECRET in production and keep it safe',
  );
  return secret;
}

export interface OpenOptions {
  /** Named to a second process refused the embedded data directory (default "server"). */
  holder?: string;
}

/** Opens the configured database (migrating it) and builds Sidekey on it. */
export async function openSidekey(
  config: SidekeyConfig = readConfig(),
  options: OpenOptions = {},
): Promise<Sidekey> {
  const logger = createLogger({ level: config.logLevel });
  const database = await openDatabase(config, logger, options.holder ?? 'server');
  let secret: string;
  try {
    secret = resolveSecret(config, logger);
  } catch (error) {
    await database.close();
    throw error;
  }
  logger.info({ engine: database.engine }, 'database ready');
  return createSidekey({
    database,
    keys: serverKeys(secret, config.previousSecrets),
    logger,
    mail: { smtpUrl: config.smtpUrl, from: config.mailFrom },
    origin: config.origin,
    resetTtlMs: config.resetTtlMs,
    auditRetentionDays: config.auditRetentionDays,
  });
}

function attempt<T>(problems: string[], read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    problems.push((error as Error).message);
    return undefined;
  }
}

function checkDatabaseUrl(raw: string): string[] {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return [
      'DATABASE_URL is not a URL; it must look like postgres://user:password@host:5432/database.',
    ];
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    return [
      `DATABASE_URL must start with postgres:// (it starts with ${url.protocol}//); leave it unset for the embedded database.`,
    ];
  if (!url.hostname)
    return [
      'DATABASE_URL names no host; it must look like postgres://user:password@host:5432/database.',
    ];
  return [];
}

/** The directory, or the nearest existing one above it, must be writable by this user. */
function checkWritableDirectory(dir: string): string[] {
  let existing = dir;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  if (!statSync(existing).isDirectory())
    return [`SIDEKEY_DATA_DIR ${dir} cannot be used: ${existing} is a file, not a directory.`];
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
    return [];
  } catch {
    return [
      `SIDEKEY_DATA_DIR ${dir} is not writable by this user (uid ${process.getuid?.() ?? '?'}); give the service user that directory or set SIDEKEY_DATA_DIR to one it owns.`,
    ];
  }
}

/** SIDEKEY_DB_STARTUP_TIMEOUT in seconds (default 30): long enough for a database starting beside Sidekey. */
function readStartupTimeout(raw: string | undefined, problems: string[]): number {
  if (!raw) return 30_000;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 3600) {
    problems.push(
      `SIDEKEY_DB_STARTUP_TIMEOUT must be a whole number of seconds from 0 to 3600, not “${raw}”.`,
    );
    return 0;
  }
  return seconds * 1000;
}

/** SIDEKEY_RESET_TTL in minutes (default 30); a reset link should be short-lived. */
function readResetTtl(raw: string | undefined): number {
  if (!raw) return 30 * 60_000;
  const minutes = Number(raw);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 24 * 60)
    throw new Error(
      `SIDEKEY_RESET_TTL must be a whole number of minutes from 1 to 1440, not “${raw}”.`,
    );
  return minutes * 60_000;
}

/** SIDEKEY_AUDIT_RETENTION_DAYS (default 400): how long the audit log keeps an event. */
function readAuditRetention(raw: string | undefined): number {
  if (!raw) return DEFAULT_AUDIT_RETENTION_DAYS;
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 1 || days > 36_500)
    throw new Error(
      `SIDEKEY_AUDIT_RETENTION_DAYS must be a whole number of days from 1 to 36500, not “${raw}”.`,
    );
  return days;
}

/**
 * SIDEKEY_DATABASE_PREPARE: named prepared statements. Default on, except when a separate
 * LISTEN connection says DATABASE_URL goes through a transaction pooler: PgBouncer before
 * 1.21 (Debian 12 ships 1.18) cannot carry them there.
 */
function readPrepare(raw: string | undefined, behindPooler: boolean): boolean {
  if (raw === undefined || raw === '') return !behindPooler;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new Error(`SIDEKEY_DATABASE_PREPARE must be true or false, not “${raw}”.`);
}
