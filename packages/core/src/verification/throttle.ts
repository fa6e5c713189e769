import type { Deps } from '../deps.ts';
import { keyedHash } from '../secrets/server-keys.ts';
import { createThrottle, type ThrottlePolicy } from '../throttle/throttle.ts';

/**
 * Per username: NIST SP 800-63B §5.2.2 — at most 100 consecutive failures, delays
 * growing before that. Apps retry on their own, so more failures are free than at
 * sign-in; the same wrong password repeated counts once (a phone still holding a
 * revoked password cannot lock its owner out); a success clears the count.
 */
export const VERIFY_ACCOUNT_POLICY: ThrottlePolicy = {
  freeFailures: 9,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  lockAfter: 100,
  lockMs: 60 * 60_000,
};

/**
 * Per client address: against one machine guessing across many accounts. Never locks,
 * and is forgotten after an hour without failures; a success does not clear it (an
 * attacker would otherwise reset it with a password of their own).
 */
export const VERIFY_ADDRESS_POLICY: ThrottlePolicy = {
  freeFailures: 30,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
};

export function verificationThrottles(deps: Deps) {
  const account = createThrottle(deps, VERIFY_ACCOUNT_POLICY);
  const address = createThrottle(deps, VERIFY_ADDRESS_POLICY);
  return {
    /**
     * Keyed by a keyed hash of the normalised username, not the account id: an unknown
     * username is throttled exactly like a known one, so `throttled` reveals nothing.
     */
    accountKey: (username: string) =>
      `verify:account:${keyedHash(deps.keys.current, 'throttle-subject', username)}`,
    addressKey: (remote: string | null | undefined) => (remote ? `verify:address:${remote}` : null),
    /** One failure for each subject; `secret` is the normalised password, fingerprinted, never stored. */
    async recordFailure(keys: { account: string; address: string | null }, secret: string) {
      await Promise.all([
        account.recordFailure(keys.account, { secret }),
        keys.address ? address.recordFailure(keys.address, { secret }) : null,
      ]);
    },
    recordSuccess: (accountKey: string) => account.recordSuccess(accountKey),
  };
}

export type VerificationThrottles = ReturnType<typeof verificationThrottles>;
