import type { Database } from '@sidekey/db';
import { accountFeatures, type AccountOptions } from './accounts/features.ts';
import { sessionService } from './accounts/sessions.ts';
import { appPasswordService, type GeneratePrecondition } from './app-passwords/service.ts';
import type { Deps } from './deps.ts';
import { databaseReachable } from './health.ts';
import { pruneExpired } from './housekeeping.ts';
import { createLogger, type Logger } from './logger.ts';
import type { ServerKeys } from './secrets/server-keys.ts';
import { serviceKeyService } from './service-keys/service.ts';
import { requireTwoFactor } from './two-factor/service.ts';
import { verificationService, type VerificationOptions } from './verification/service.ts';

export interface SidekeyOptions extends AccountOptions {
  database: Database;
  keys: ServerKeys;
  logger?: Logger;
  now?: () => Date;
  verification?: VerificationOptions;
}

/** All of Sidekey's domain services over one database: what the API and CLI are thin over. */
export function createSidekey(options: SidekeyOptions) {
  const deps: Deps = {
    database: options.database,
    db: options.database.db,
    keys: options.keys,
    log: options.logger ?? createLogger(),
    now: options.now ?? (() => new Date()),
  };
  const sessions = sessionService(deps);
  const account = accountFeatures(deps, sessions, options);
  // The seed's first rule: no app password without two-factor authentication.
  const generatePreconditions: GeneratePrecondition[] = [requireTwoFactor];
  const serviceKeys = serviceKeyService(deps);
  const verification = verificationService(deps, serviceKeys, options.verification);
  return {
    deps,
    accounts: account.accounts,
    twoFactor: account.twoFactor,
    passwords: account.passwords,
    activity: account.activity,
    mailer: account.mailer,
    signInThrottles: account.throttles,
    sessions,
    appPasswords: account.withCreationNotice(appPasswordService(deps, { generatePreconditions })),
    verify: verification.verify,
    /** For relying services: checks their key, then verifies; counted in `metrics`. */
    verifyForService: verification.verifyForService,
    metrics: verification.metrics,
    /** Revocations as they commit (LISTEN/NOTIFY) and from the audit log: what service.events streams. */
    revocations: verification.revocations,
    serviceKeys,
    /** Buffered last-used times: `flush()` writes them now (they are written every few seconds). */
    uses: verification.uses,
    /** Deletes expired sessions, spent reset tokens and long-idle throttles. */
    prune: () => pruneExpired(deps),
    /** For /healthz: the database answers. */
    healthy: () => databaseReachable(deps),
    /** Flushes buffered last-used times and pending mail, then closes the database. */
    close: async () => {
      await verification.uses.close();
      await account.mailer.settled();
      account.mailer.close();
      await deps.database.close();
    },
  };
}

export type Sidekey = ReturnType<typeof createSidekey>;
