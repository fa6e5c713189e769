import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { instant } from './columns.ts';

/**
 * Consecutive-failure counters shared by every node (NIST SP 800-63B §5.2.2).
 * `key` names the subject, e.g. `verify:account:<id>` or `sign-in:address:<ip>`.
 */
export const throttles = pgTable('throttles', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull().default(0),
  lastFailureAt: instant('last_failure_at'),
  blockedUntil: instant('blocked_until'),
  /** Keyed fingerprint of the last wrong secret: the same one repeated counts once. */
  lastSecretFingerprint: text('last_secret_fingerprint'),
});
