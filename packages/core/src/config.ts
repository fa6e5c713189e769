import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDb } from '@sidekey/db';
import { createLogger, type Logger } from './logger.ts';
import { serverKeys } from './secrets/server-keys.ts';
import { createSidekey, type Sidekey } from './sidekey.ts';

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
  logLevel: string;
  /** When set, GET /metrics needs `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): SidekeyConfig {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, not “${env.PORT}”.`);
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    listenDatabaseUrl: env.SIDEKEY_LISTEN_DATABASE_URL || undefined,
    databasePrepare: readPrepare(env.SIDEKEY_DATABASE_PREPARE, !!env.SIDEKEY_LISTEN_DATABASE_URL),
    dataDir: resolve(env.SIDEKEY_DATA_DIR || '.data'),
    secret: env.SIDEKEY_SECRET || undefined,
    previousSecrets: (env.SIDEKEY_PREVIOUS_SECRETS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    port,
    host: env.HOST || '0.0.0.0',
    // Links in mail must not follow a request's Host header; unset, they point at this machine.
    origin: env.ORIGIN || `http://localhost:${port || 3000}`,
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.SMTP_FROM || undefined,
    resetTtlMs: readResetTtl(env.SIDEKEY_RESET_TTL),
    logLevel: env.SIDEKEY_LOG_LEVEL || 'info',
    metricsToken: env.SIDEKEY_METRICS_TOKEN || undefined,
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

/** Opens the configured database (migrating it) and builds Sidekey on it. */
export async function openSidekey(config: SidekeyConfig = readConfig()): Promise<Sidekey> {
  const logger = createLogger({ level: config.logLevel });
  const secret = resolveSecret(config, logger);
  const database = await createDb(
    config.databaseUrl
      ? {
          url: config.databaseUrl,
          listenUrl: config.listenDatabaseUrl,
          prepare: config.databasePrepare,
        }
      : { dataDir: config.dataDir },
  );
  logger.info({ engine: database.engine }, 'database ready');
  return createSidekey({
    database,
    keys: serverKeys(secret, config.previousSecrets),
    logger,
    mail: { smtpUrl: config.smtpUrl, from: config.mailFrom },
    origin: config.origin,
    resetTtlMs: config.resetTtlMs,
  });
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
