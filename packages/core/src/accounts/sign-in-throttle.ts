import type { Deps } from '../deps.ts';
import { keyedHash } from '../secrets/server-keys.ts';
import {
  createThrottle,
  reserveAttempt,
  type ReservedSubject,
  type ThrottlePolicy,
} from '../throttle/throttle.ts';

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
  successClears: false,
};

/**
 * Per account, for confirming a new authenticator: six-digit codes, so guessing is
 * throttled like sign-in (a few free, then doubling delays), without the lock — the
 * caller is already signed in, and a wrong code changes nothing.
 */
export const ENROLMENT_POLICY: ThrottlePolicy = {
  freeFailures: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
};

/**
 * Per address, for the public requests that cost work without checking a secret
 * (asking for a reset link, signing up, spending a reset link, an app starting a connect
 * request): each request counts,
 * 20 an hour are free, then delays double up to 15 minutes.
 */
export const ADDRESS_REQUEST_POLICY: ThrottlePolicy = {
  freeFailures: 20,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
  successClears: false,
};

export function signInThrottles(deps: Deps) {
  const account = createThrottle(deps, ACCOUNT_SIGN_IN_POLICY);
  const address = createThrottle(deps, ADDRESS_SIGN_IN_POLICY);
  const enrolment = createThrottle(deps, ENROLMENT_POLICY);
  const requests = createThrottle(deps, ADDRESS_REQUEST_POLICY);
  const accountKey = (email: string) =>
    `sign-in:account:${keyedHash(deps.keys.current, 'throttle-subject', email)}`;
  const addressKey = (address: string | null | undefined) =>
    address ? `sign-in:address:${address}` : null;
  return {
    account,
    address,
    enrolment,
    requests,
    /**
     * Reserves one password (or code) attempt against the account and the address
     * before anything is hashed; see reserveAttempt. Per address the account is part of
     * the fingerprint: one password sprayed across many accounts counts once per account.
     */
    reserveSignIn(
      email: string,
      clientAddress: string | null | undefined,
      what = 'password sign-in',
    ) {
      const subjects: ReservedSubject[] = [account.subject(accountKey(email))];
      const byAddress = addressKey(clientAddress);
      if (byAddress) subjects.push(address.subject(byAddress, accountKey(email)));
      return reserveAttempt(deps, subjects, what);
    },
    /** Reserves one confirmation code of a new authenticator for the account. */
    reserveEnrolment: (accountId: string) =>
      reserveAttempt(
        deps,
        [enrolment.subject(`two-factor-enrolment:account:${accountId}`)],
        'two-factor set-up',
      ),
    /** Counts one public request (reset, sign-up, an app's connect request) from the address; refused when over. */
    reserveRequest(
      kind: 'reset-request' | 'reset' | 'sign-up' | 'connect-request',
      clientAddress: string | null | undefined,
    ) {
      const subjects = clientAddress ? [requests.subject(`${kind}:address:${clientAddress}`)] : [];
      return reserveAttempt(deps, subjects, kind);
    },
    /**
     * Keyed by the (keyed hash of the) normalised email rather than the account id, so an
     * unknown email is throttled exactly like a known one and reveals nothing.
     */
    accountKey,
    addressKey,
  };
}

export type SignInThrottles = ReturnType<typeof signInThrottles>;
