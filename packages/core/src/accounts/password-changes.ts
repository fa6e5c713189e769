import { accounts, passwordResetTokens } from '@sidekey/db';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { revokeAllForAccount } from '../app-passwords/app-passwords.ts';
import { recordAudit } from '../audit.ts';
import type { ActorMeta, Deps } from '../deps.ts';
import { notFound, SidekeyError } from '../errors.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { SecurityNotices } from '../mail/notices.ts';
import { randomToken } from '../secrets/random.ts';
import { sha256 } from '../secrets/server-keys.ts';
import { hashSecret, verifySecret } from './password-hashing.ts';
import { assertAcceptablePassword } from './password-policy.ts';
import type { SessionService } from './sessions.ts';
import type { SignInThrottles } from './sign-in-throttle.ts';
import { requireEmail } from './authentication.ts';
import { releasedIfBusy } from '../throttle/attempts.ts';

/** A reset link works once, for this long (OWASP Forgot Password cheat sheet: short-lived). */
export const DEFAULT_RESET_TTL_MS = 30 * 60_000;
/** At most one reset mail per account in this time, so the form cannot flood a mailbox. */
export const RESET_REQUEST_INTERVAL_MS = 60_000;

export interface PasswordChangeParts {
  sessions: SessionService;
  throttles: SignInThrottles;
  mailer: Mailer;
  notices: SecurityNotices;
  /**
   * Public URL (ORIGIN) that reset links point at. Never taken from the request: a Host
   * header is the caller's to choose, and a reset link pointing at an attacker's host
   * would hand them the token.
   */
  origin?: string;
  resetTtlMs?: number;
  /** Runs work after the answer (default: the mailer's `later`); tests pass their own. */
  defer?: (work: () => Promise<void>) => void;
}

/**
 * The rule owners know from every large provider: a new primary password revokes every app password in the same
 * transaction as the new hash, and ends the web sessions that knew the old one.
 */
export function passwordChangeService(deps: Deps, parts: PasswordChangeParts) {
  const { db, now } = deps;
  const resetTtlMs = parts.resetTtlMs ?? DEFAULT_RESET_TTL_MS;
  const defer = parts.defer ?? ((work: () => Promise<void>) => parts.mailer.later(work));

  async function changePassword(
    accountId: string,
    currentSessionId: string,
    input: { currentPassword: string; newPassword: string },
    meta: ActorMeta,
  ) {
    const [account] = await db.select().from(accounts).where(eq(accounts.id, accountId));
    if (!account) throw notFound('Account');
    assertAcceptablePassword(input.newPassword, { email: account.email });
    // The current password is a guess like any other: reserved against sign-in's throttle.
    const attempt = await parts.throttles.reserveSignIn(account.email, meta.address);
    const currentOk = await releasedIfBusy(attempt, () =>
      verifySecret(account.passwordHash, input.currentPassword),
    );
    if (!currentOk) {
      await attempt.failed(input.currentPassword);
      await recordAudit(db, { ...meta, accountId, action: 'password_change_failed' });
      throw new SidekeyError(
        'UNAUTHORIZED',
        'Your current password is not correct.',
        'wrong_credentials',
      );
    }
    await attempt.succeeded();
    if (input.newPassword === input.currentPassword) {
      throw new SidekeyError(
        'BAD_REQUEST',
        'The new password must differ from the current one.',
        'weak_password',
      );
    }
    const passwordHash = await hashSecret(input.newPassword);
    const result = await db.transaction(async (tx) => {
      // Guarded on the hash that was checked, so two concurrent changes cannot both win.
      const [updated] = await tx
        .update(accounts)
        .set({ passwordHash, passwordChangedAt: now() })
        .where(and(eq(accounts.id, accountId), eq(accounts.passwordHash, account.passwordHash)))
        .returning({ id: accounts.id });
      if (!updated) {
        throw new SidekeyError(
          'CONFLICT',
          'Your password was changed meanwhile. Sign in again with the new one.',
          'password_changed_meanwhile',
        );
      }
      const revoked = await revokeAllForAccount(tx, accountId, 'password_changed', meta, now());
      const ended = await parts.sessions.invalidateAllForAccount(tx, accountId, currentSessionId);
      await recordAudit(tx, {
        ...meta,
        accountId,
        action: 'password_changed',
        details: { revokedAppPasswords: revoked, endedSessions: ended },
      });
      const queued = await parts.notices.passwordChanged(tx, accountId, revoked, 'changed');
      return { revoked, ended, queued };
    });
    parts.mailer.dispatch(...result.queued);
    deps.log.info({ accountId, revoked: result.revoked }, 'password changed');
    return { revokedAppPasswords: result.revoked, endedSessions: result.ended };
  }

  /**
   * Mails a single-use link when the email has an account, and answers the same either
   * way. The token (256 bits) travels in the URL fragment, which browsers never send to
   * a server, so it cannot end up in an access log; only its SHA-256 is stored.
   */
  async function requestPasswordReset(
    input: { email: string },
    meta: ActorMeta,
  ): Promise<{ sent: true }> {
    const email = requireEmail(input.email);
    // Counted per address whatever the email: a flood of requests is refused, alike for all.
    await parts.throttles.reserveRequest('reset-request', meta.address);
    // Everything that depends on the email runs after the answer, so the answer takes the
    // same time whether or not the email has an account.
    defer(() => sendResetLink(email, meta));
    return { sent: true };
  }

  async function sendResetLink(email: string, meta: ActorMeta): Promise<void> {
    const token = randomToken();
    const [account] = await db.select().from(accounts).where(eq(accounts.email, email));
    if (!account) return;
    const at = now();
    const origin = (parts.origin ?? 'http://localhost:3000').replace(/\/+$/, '');
    const link = `${origin}/reset-password#token=${token}`;
    const queued = await db.transaction(async (tx) => {
      // One request per account at a time decides whether a minute has passed, so a burst
      // of concurrent requests (from any number of nodes) mails one link, not one each.
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`reset:${account.id}`}))`);
      const recent = await tx.$count(
        passwordResetTokens,
        and(
          eq(passwordResetTokens.accountId, account.id),
          gt(passwordResetTokens.createdAt, new Date(at.getTime() - RESET_REQUEST_INTERVAL_MS)),
        ),
      );
      if (recent > 0) return null;
      await tx.insert(passwordResetTokens).values({
        id: sha256(token),
        accountId: account.id,
        createdAt: at,
        expiresAt: new Date(at.getTime() + resetTtlMs),
      });
      await recordAudit(tx, { ...meta, accountId: account.id, action: 'password_reset_requested' });
      const minutes = Math.round(resetTtlMs / 60_000);
      return parts.mailer.enqueue(tx, {
        to: account.email,
        subject: 'Sidekey: reset your password',
        body: [
          'Someone (hopefully you) asked to reset the password of your Sidekey account.',
          '',
          `Open this link within ${minutes} minutes to choose a new password. It works once:`,
          link,
          '',
          'Resetting revokes every app password and signs out every session.',
          'If you did not ask for this, ignore this message; your password stays as it is.',
          '',
        ].join('\n'),
        secrets: [link],
      });
    });
    if (queued) parts.mailer.dispatch(queued);
  }

  /** Spends the token (once: a guarded UPDATE … WHERE used_at IS NULL) and sets the new password. */
  async function resetPassword(input: { token: string; newPassword: string }, meta: ActorMeta) {
    const invalid = () =>
      new SidekeyError(
        'BAD_REQUEST',
        'This reset link is invalid, was already used or has expired. Ask for a new one.',
        'invalid_token',
      );
    const token = input.token.trim().replace(/^#?token=/, '');
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw invalid();
    // Each try costs a lookup and, with a valid link, an argon2id hash: counted per address.
    await parts.throttles.reserveRequest('reset', meta.address);
    const tokenId = sha256(token);
    const [found] = await db
      .select({ email: accounts.email })
      .from(passwordResetTokens)
      .innerJoin(accounts, eq(accounts.id, passwordResetTokens.accountId))
      .where(eq(passwordResetTokens.id, tokenId));
    if (!found) throw invalid();
    // Checked before the token is spent, so a weak choice leaves the link usable.
    assertAcceptablePassword(input.newPassword, { email: found.email });
    const passwordHash = await hashSecret(input.newPassword);
    const at = now();
    const result = await db.transaction(async (tx) => {
      const [spent] = await tx
        .update(passwordResetTokens)
        .set({ usedAt: at })
        .where(
          and(
            eq(passwordResetTokens.id, tokenId),
            isNull(passwordResetTokens.usedAt),
            gt(passwordResetTokens.expiresAt, at),
          ),
        )
        .returning({ accountId: passwordResetTokens.accountId });
      if (!spent) throw invalid();
      const { accountId } = spent;
      await tx
        .update(accounts)
        .set({ passwordHash, passwordChangedAt: at })
        .where(eq(accounts.id, accountId));
      // Any other link sent earlier dies with this one.
      await tx
        .update(passwordResetTokens)
        .set({ usedAt: at })
        .where(
          and(eq(passwordResetTokens.accountId, accountId), isNull(passwordResetTokens.usedAt)),
        );
      const revoked = await revokeAllForAccount(tx, accountId, 'password_reset', meta, at);
      const ended = await parts.sessions.invalidateAllForAccount(tx, accountId);
      await recordAudit(tx, {
        ...meta,
        accountId,
        action: 'password_reset',
        details: { revokedAppPasswords: revoked, endedSessions: ended },
      });
      const queued = await parts.notices.passwordChanged(tx, accountId, revoked, 'reset');
      return { accountId, revoked, queued };
    });
    // Proving control of the mailbox lifts a sign-in lock.
    await parts.throttles.account.recordSuccess(parts.throttles.accountKey(found.email));
    parts.mailer.dispatch(...result.queued);
    deps.log.info({ accountId: result.accountId, revoked: result.revoked }, 'password reset');
    return { revokedAppPasswords: result.revoked };
  }

  return { changePassword, requestPasswordReset, resetPassword };
}

export type PasswordChangeService = ReturnType<typeof passwordChangeService>;
