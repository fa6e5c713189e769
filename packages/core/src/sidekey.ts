import type { Database } from '@sidekey/db';
import { connectLinkService } from './connect/links.ts';
import { connectRequestService } from './connect/requests.ts';
import { accountFeatures, type AccountOptions } from './accounts/features.ts';
import { roleService } from './accounts/roles.ts';
import { sessionService } from './accounts/sessions.ts';
import { appPasswordService, type GeneratePrecondition } from './app-passwords/app-passwords.ts';
import type { Deps } from './deps.ts';
import { databaseReachable } from './health.ts';
import { pruneExpired } from './housekeeping.ts';
import { foldLifecycleTally } from './lifecycle-review/totals.ts';
import { createLogger, type Logger } from './logger.ts';
import type { ServerKeys } from './secrets/server-keys.ts';
import { serviceKeyService } from './service-keys/service-keys.ts';
import { requireTwoFactor } from './two-factor/two-factor.ts';
import { verificationService, type VerificationOptions } from './verification/verification.ts';
import { scopeRefusalNotices } from './verification/refusal-notices.ts';

export interface SidekeyOptions extends AccountOptions {
  database: Database;
  keys: ServerKeys;
  logger?: Logger;
  now?: () => Date;
  verification?: VerificationOptions;
  /** SIDEKEY_AUDIT_RETENTION_DAYS: audit events older than this are pruned (default 400). */
  auditRetentionDays?: number;
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
  // No app password without two-factor authentication.
  const generatePreconditions: GeneratePrecondition[] = [requireTwoFactor];
  const serviceKeys = serviceKeyService(deps);
  const verification = verificationService(
    deps,
    serviceKeys,
    options.verification,
    scopeRefusalNotices(deps, account),
  );
  const connectLinks = connectLinkService(deps);
  const appPasswords = account.withCreationNotice(
    appPasswordService(deps, { generatePreconditions }),
  );
  const connectRequests = connectRequestService(deps, {
    generate: appPasswords.generate,
    reserveRequest: (address) => account.throttles.reserveRequest('connect-request', address),
  });
  return {
    deps,
    /** Sign-up, sign-in, re-authentication; and `grantAdmin`, the audited role change. */
    accounts: { ...account.accounts, ...roleService(deps) },
    twoFactor: account.twoFactor,
    passwords: account.passwords,
    activity: account.activity,
    mailer: account.mailer,
    signInThrottles: account.throttles,
    sessions,
    appPasswords,
    verify: verification.verify,
    /** For relying services: checks their key, then verifies; counted in `metrics`. */
    verifyForService: verification.verifyForService,
    metrics: verification.metrics,
    /** Revocations as they commit (LISTEN/NOTIFY) and from the audit log: what service.events streams. */
    revocations: verification.revocations,
    serviceKeys,
    /** Single-use links that carry a new app password to the owner's phone. */
    connectLinks,
    /** The login flow: an app asks for its own password, the owner approves it by a code. */
    connectRequests,
    /**
     * Deletes expired sessions, spent reset tokens, long-idle throttles, aged audit events and
     * used connect links, and folds the lifecycle tally into the review's running totals.
     */
    prune: async () => ({
      ...(await pruneExpired(deps, { auditRetentionDays: options.auditRetentionDays })),
      connectLinks: await connectLinks.pruneExpired(),
      connectRequests: await connectRequests.pruneExpired(),
      lifecycleSteps: (await foldLifecycleTally(deps.db)).folded,
    }),
    /** Buffered last-used times: `flush()` writes them now (they are written every few seconds). */
    uses: verification.uses,
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
