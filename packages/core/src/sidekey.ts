import type { Database } from '@sidekey/db';
import { accountService } from './accounts/service.ts';
import { sessionService } from './accounts/sessions.ts';
import { appPasswordService, type GeneratePrecondition } from './app-passwords/service.ts';
import type { Deps } from './deps.ts';
import { createLogger, type Logger } from './logger.ts';
import type { ServerKeys } from './secrets/server-keys.ts';
import { serviceKeyService } from './service-keys/service.ts';
import { verify, type VerifyInput } from './verification/verify.ts';

export interface SidekeyOptions {
  database: Database;
  keys: ServerKeys;
  logger?: Logger;
  now?: () => Date;
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
  const generatePreconditions: GeneratePrecondition[] = [];
  return {
    deps,
    accounts: accountService(deps, sessions),
    sessions,
    appPasswords: appPasswordService(deps, { generatePreconditions }),
    verify: (input: VerifyInput) => verify(deps, input),
    serviceKeys: serviceKeyService(deps),
    close: () => deps.database.close(),
  };
}

export type Sidekey = ReturnType<typeof createSidekey>;
