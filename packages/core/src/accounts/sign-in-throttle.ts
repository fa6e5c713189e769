import type { Deps } from '../deps.ts';
import { keyedHash } from '../secrets/server-keys.ts';
import { createThrottle, type ThrottlePolicy } from '../throttle/throttle.ts';

/**
 * Per account: a few typos are free, then delays double from 1 s up to 15 min; the
 * 100th consecutive failure (NIST SP 800-63B §5.2.2's ceiling) locks password sign-in
 * for an hour and mails the owner. A success or a password reset clears it.
 */
export const ACCOUNT_SIGN_IN_POLICY: ThrottlePolicy = {
  freeFailures: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  lockAfter: 100,
  lockMs: 60 * 60_000,
};

/**
 * Per address: against one machine guessing across many accounts. More free tries
 * (many people can share one address behind NAT), never a lock, and forgotten after
 * an hour without failures — a success does not clear it, or an attacker could reset
 * their own address's count by signing in to an account of their own.
 */
export const ADDRESS_SIGN_IN_POLICY: ThrottlePolicy = {
  freeFailures: 20,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
};

export function signInThrottles(deps: Deps) {
  const account = createThrottle(deps, ACCOUNT_SIGN_IN_POLICY);
  const address = createThrottle(deps, ADDRESS_SIGN_IN_POLICY);
  return {
    account,
    address,
    /**
     * Keyed by the (keyed hash of the) normalised email rather than the account id, so an
     * unknown email is throttled exactly like a known one and reveals nothing.
     */
    accountKey: (email: string) =>
      `sign-in:account:${keyedHash(deps.keys.current, 'throttle-subject', email)}`,
    addressKey: (address: string | null | undefined) =>
      address ? `sign-in:address:${address}` : null,
  };
}

export type SignInThrottles = ReturnType<typeof signInThrottles>;
