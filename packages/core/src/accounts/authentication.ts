import { accounts } from '@sidekey/db';
import { eq } from 'drizzle-orm';
import { recordAudit } from '../audit.ts';
import { createAccountWithSession } from './create-account.ts';
import type { ActorMeta, Deps } from '../deps.ts';
import { SidekeyError } from '../errors.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { SecurityNotices } from '../mail/notices.ts';
import { invalidCode, type TwoFactorService } from '../two-factor/two-factor.ts';
import { normaliseEmail } from './email.ts';
import { burnEquivalentTime, hashSecret, verifySecret } from './password-hashing.ts';
import { assertAcceptablePassword } from './password-policy.ts';
import type { SessionService } from './sessions.ts';
import type { Attempt } from '../throttle/throttle.ts';
import { countUnknownAccountFailure, releasedIfBusy } from '../throttle/attempts.ts';
import { ACCOUNT_SIGN_IN_POLICY, type SignInThrottles } from './sign-in-throttle.ts';

/** Unknown account and wrong password read the same, so sign-in reveals no accounts. */
export const WRONG_CREDENTIALS_MESSAGE = 'That email and password do not match an account.';

export interface Credentials {
  email: string;
  password: string;
}

export type SignInResult =
  | { status: 'signed_in'; accountId: string; sessionToken: string; expiresAt: Date }
  | { status: 'two_factor_required' };

export interface AccountServiceParts {
  sessions: SessionService;
  twoFactor: TwoFactorService;
  throttles: SignInThrottles;
  mailer: Mailer;
  notices: SecurityNotices;
}

type AccountRow = typeof accounts.$inferSelect;

export function accountService(deps: Deps, parts: AccountServiceParts) {
  const { db, now } = deps;
  const { sessions: sessionsService, twoFactor, throttles } = parts;

  /**
   * Creates an account and signs it in at once, answering `email_taken` for a known
   * email: for the operator's tools and tests only. The public sign-up is
   * `requestSignUp` (sign-up.ts), which reveals nothing.
   */
  async function signUp(input: Credentials, meta: ActorMeta) {
    const email = requireEmail(input.email);
    assertAcceptablePassword(input.password, { email });
    const passwordHash = await hashSecret(input.password);
    return createAccountWithSession(
      db,
      sessionsService,
      { email, passwordHash },
      meta,
      () =>
        new SidekeyError(
          'CONFLICT',
          'An account with this email already exists. Sign in instead.',
          'email_taken',
        ),
    );
  }

  /**
   * Password, then (with two-factor on) a TOTP or recovery code. One attempt is reserved
   * per account and per address before anything is hashed, so concurrent or batched
   * guesses are checked at most as often as the throttle allows; an unknown email costs
   * the same argon2 time and gets the same answer as a wrong password.
   */
  async function signIn(
    input: Credentials & { code?: string },
    meta: ActorMeta,
  ): Promise<SignInResult> {
    const email = normaliseEmail(input.email);
    const attempt = await throttles.reserveSignIn(email ?? input.email.slice(0, 320), meta.address);
    const checked = await releasedIfBusy(attempt, async () => {
      const [account] = email
        ? await db.select().from(accounts).where(eq(accounts.email, email))
        : [];
      const passwordOk = account
        ? await verifySecret(account.passwordHash, input.password)
        : await burnEquivalentTime(input.password);
      if (!account || !passwordOk) return { account, failed: 'password' as const };
      if (!account.totpEnabledAt) return { account, method: 'password' as const };
      const code = input.code?.trim();
      if (!code) return { account, method: null };
      const factor = await twoFactor.verifySecondFactor(account, code);
      // Guessing codes is guessing too: it counts towards the same throttle.
      return factor ? { account, method: factor } : { account, failed: 'code' as const, code };
    });

    if ('failed' in checked && checked.failed) {
      const secret = 'code' in checked ? `code:${checked.code}` : input.password;
      await countFailure(attempt, checked.account, secret, meta, checked.failed);
      if (checked.failed === 'code') throw invalidCode();
      throw new SidekeyError('UNAUTHORIZED', WRONG_CREDENTIALS_MESSAGE, 'wrong_credentials');
    }
    const { account, method } = checked;
    if (method === null) {
      // The right password alone is no verdict yet: the code decides.
      await attempt.release();
      return { status: 'two_factor_required' };
    }
    await attempt.succeeded();
    return db.transaction(async (tx) => {
      await recordAudit(tx, {
        ...meta,
        actor: 'owner',
        accountId: account.id,
        action: 'sign_in',
        details: { method },
      });
      const { token, session } = await sessionsService.create(tx, account.id, meta);
      return {
        status: 'signed_in' as const,
        accountId: account.id,
        sessionToken: token,
        expiresAt: session.expiresAt,
      };
    });
  }

  async function countFailure(
    attempt: Attempt,
    account: AccountRow | undefined,
    secret: string,
    meta: ActorMeta,
    failed: 'password' | 'code',
  ) {
    const [outcome] = await attempt.failed(secret);
    if (!account) {
      // Guesses at unknown emails are counted, not logged one by one: an audit row each
      // would let anyone grow the append-only log without end. One counter row per hour
      // (pruned with the throttles) — one write, as the known-account path makes.
      await countUnknownAccountFailure(db, now());
      return;
    }
    await recordAudit(db, {
      ...meta,
      actor: 'anonymous',
      accountId: account.id,
      action: 'sign_in_failed',
      reason: failed === 'password' ? 'wrong_password' : 'wrong_code',
      details: { consecutiveFailures: outcome!.failures },
    });
    if (outcome!.lockedNow) {
      const minutes = Math.round((ACCOUNT_SIGN_IN_POLICY.lockMs ?? 0) / 60_000);
      const queued = await db.transaction(async (tx) => {
        await recordAudit(tx, {
          ...meta,
          actor: 'system',
          accountId: account.id,
          action: 'account_locked',
          details: { consecutiveFailures: outcome!.failures, minutes },
        });
        return parts.notices.accountLocked(tx, account.id, minutes);
      });
      parts.mailer.dispatch(...queued);
      deps.log.warn({ accountId: account.id }, 'password sign-in locked after too many failures');
    }
  }

  /** Re-entering the password (and code, with two-factor on) opens the window for sensitive actions. */
  async function reauthenticate(
    accountId: string,
    sessionId: string,
    input: { password: string; code?: string },
    meta: ActorMeta,
  ) {
    const [account] = await db.select().from(accounts).where(eq(accounts.id, accountId));
    const attempt = await throttles.reserveSignIn(account?.email ?? accountId, meta.address);
    const verdict = await releasedIfBusy(attempt, async () => {
      if (!account || !(await verifySecret(account.passwordHash, input.password))) {
        return 'wrong_password' as const;
      }
      if (!account.totpEnabledAt) return 'ok' as const;
      const code = input.code?.trim();
      if (!code) return 'code_missing' as const;
      return (await twoFactor.verifySecondFactor(account, code)) ? ('ok' as const) : code;
    });
    if (verdict === 'wrong_password') {
      await attempt.failed(input.password);
      await recordAudit(db, { ...meta, accountId, action: 'reauthenticate_failed' });
      throw new SidekeyError('UNAUTHORIZED', 'That password is not correct.', 'wrong_credentials');
    }
    if (verdict === 'code_missing') {
      await attempt.release();
      throw new SidekeyError(
        'UNAUTHORIZED',
        'Enter the code from your authenticator app as well as your password.',
        'two_factor_required',
      );
    }
    if (verdict !== 'ok') {
      await attempt.failed(`code:${verdict}`);
      await recordAudit(db, {
        ...meta,
        accountId,
        action: 'reauthenticate_failed',
        reason: 'wrong_code',
      });
      throw invalidCode();
    }
    await attempt.succeeded();
    await sessionsService.markReauthenticated(sessionId);
    await recordAudit(db, { ...meta, accountId, action: 'reauthenticate' });
  }

  return { signUp, signIn, reauthenticate };
}

export function requireEmail(raw: string): string {
  const email = normaliseEmail(raw);
  if (!email)
    throw new SidekeyError(
      'BAD_REQUEST',
      'Enter a valid email address, like name@example.org.',
      'invalid_email',
    );
  return email;
}
