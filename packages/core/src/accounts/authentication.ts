import { accounts } from '@sidekey/db';
import { eq } from 'drizzle-orm';
import { recordAudit } from '../audit.ts';
import type { ActorMeta, Deps } from '../deps.ts';
import { SidekeyError } from '../errors.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { SecurityNotices } from '../mail/notices.ts';
import { invalidCode, type TwoFactorService } from '../two-factor/two-factor.ts';
import { normaliseEmail } from './email.ts';
import { burnEquivalentTime, hashSecret, verifySecret } from './password-hashing.ts';
import { assertAcceptablePassword } from './password-policy.ts';
import type { SessionService } from './sessions.ts';
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
  const { db } = deps;
  const { sessions: sessionsService, twoFactor, throttles } = parts;

  async function signUp(input: Credentials, meta: ActorMeta) {
    const email = requireEmail(input.email);
    assertAcceptablePassword(input.password, { email });
    const passwordHash = await hashSecret(input.password);
    return db.transaction(async (tx) => {
      const [account] = await tx
        .insert(accounts)
        .values({ email, passwordHash })
        .onConflictDoNothing()
        .returning();
      if (!account) {
        throw new SidekeyError(
          'CONFLICT',
          'An account with this email already exists. Sign in instead.',
          'email_taken',
        );
      }
      await recordAudit(tx, { ...meta, actor: 'owner', accountId: account.id, action: 'sign_up' });
      const { token, session } = await sessionsService.create(tx, account.id, meta);
      return { accountId: account.id, sessionToken: token, expiresAt: session.expiresAt };
    });
  }

  /**
   * Password, then (with two-factor on) a TOTP or recovery code. Throttled per account
   * and per address before any hashing; an unknown email costs the same argon2 time
   * and gets the same answer as a wrong password.
   */
  async function signIn(
    input: Credentials & { code?: string },
    meta: ActorMeta,
  ): Promise<SignInResult> {
    const email = normaliseEmail(input.email);
    const accountKey = throttles.accountKey(email ?? input.email.slice(0, 320));
    const addressKey = throttles.addressKey(meta.address);
    await throttles.account.assertAllowed([accountKey], 'password sign-in');
    if (addressKey) await throttles.address.assertAllowed([addressKey]);

    const [account] = email
      ? await db.select().from(accounts).where(eq(accounts.email, email))
      : [];
    const passwordOk = account
      ? await verifySecret(account.passwordHash, input.password)
      : await burnEquivalentTime(input.password);
    if (!account || !passwordOk) {
      await countFailure(account, accountKey, addressKey, input.password, meta, 'password');
      throw new SidekeyError('UNAUTHORIZED', WRONG_CREDENTIALS_MESSAGE, 'wrong_credentials');
    }

    let method: 'password' | 'totp' | 'recovery_code' = 'password';
    if (account.totpEnabledAt) {
      const code = input.code?.trim();
      if (!code) return { status: 'two_factor_required' };
      const factor = await twoFactor.verifySecondFactor(account, code);
      if (!factor) {
        // Guessing codes is guessing too: it counts towards the same throttle.
        await countFailure(account, accountKey, addressKey, `code:${code}`, meta, 'code');
        throw invalidCode();
      }
      method = factor;
    }

    await throttles.account.recordSuccess(accountKey);
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
    account: AccountRow | undefined,
    accountKey: string,
    addressKey: string | null,
    secret: string,
    meta: ActorMeta,
    failed: 'password' | 'code',
  ) {
    const outcome = await throttles.account.recordFailure(accountKey, { secret });
    // Per address the account is part of the fingerprint: one password sprayed across
    // many accounts counts once per account, not once in all.
    if (addressKey)
      await throttles.address.recordFailure(addressKey, { secret: `${accountKey}\0${secret}` });
    // An unknown email is audited too (without naming it): the same database work on both
    // paths keeps their timing alike, and guessing at unknown accounts is worth seeing.
    await recordAudit(db, {
      ...meta,
      actor: 'anonymous',
      accountId: account?.id ?? null,
      action: 'sign_in_failed',
      reason: failed === 'password' ? 'wrong_password' : 'wrong_code',
      details: { consecutiveFailures: outcome.failures },
    });
    if (account && outcome.lockedNow) {
      const minutes = Math.round((ACCOUNT_SIGN_IN_POLICY.lockMs ?? 0) / 60_000);
      const queued = await db.transaction(async (tx) => {
        await recordAudit(tx, {
          ...meta,
          actor: 'system',
          accountId: account.id,
          action: 'account_locked',
          details: { consecutiveFailures: outcome.failures, minutes },
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
    const accountKey = throttles.accountKey(account?.email ?? accountId);
    await throttles.account.assertAllowed([accountKey], 'password sign-in');
    if (!account || !(await verifySecret(account.passwordHash, input.password))) {
      await throttles.account.recordFailure(accountKey, { secret: input.password });
      await recordAudit(db, { ...meta, accountId, action: 'reauthenticate_failed' });
      throw new SidekeyError('UNAUTHORIZED', 'That password is not correct.', 'wrong_credentials');
    }
    if (account.totpEnabledAt) {
      const code = input.code?.trim();
      if (!code) {
        throw new SidekeyError(
          'UNAUTHORIZED',
          'Enter the code from your authenticator app as well as your password.',
          'two_factor_required',
        );
      }
      if (!(await twoFactor.verifySecondFactor(account, code))) {
        await throttles.account.recordFailure(accountKey, { secret: `code:${code}` });
        await recordAudit(db, {
          ...meta,
          accountId,
          action: 'reauthenticate_failed',
          reason: 'wrong_code',
        });
        throw invalidCode();
      }
    }
    await throttles.account.recordSuccess(accountKey);
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
