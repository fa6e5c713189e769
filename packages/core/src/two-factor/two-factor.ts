import { accounts, recoveryCodes, type DbOrTx } from '@sidekey/db';
import { and, eq, isNotNull, isNull, lt, or } from 'drizzle-orm';
import { revokeAllForAccount } from '../app-passwords/app-passwords.ts';
import { recordAudit } from '../audit.ts';
import type { ActorMeta, Deps } from '../deps.ts';
import { notFound, SidekeyError } from '../errors.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { SecurityNotices } from '../mail/notices.ts';
import type { SignInThrottles } from '../accounts/sign-in-throttle.ts';
import { seal, unseal } from '../secrets/sealing.ts';
import {
  consumeRecoveryCode,
  hashNewRecoveryCodes,
  remainingRecoveryCodes,
  replaceRecoveryCodes,
} from './recovery-codes.ts';
import { encodeTotpSecret, matchTotpStep, newTotpSecret, otpauthUri, qrCodeSvg } from './totp.ts';

type AccountRow = typeof accounts.$inferSelect;
const SEAL_PURPOSE = 'totp-secret';

export type SecondFactor = 'totp' | 'recovery_code';

export const invalidCode = () =>
  new SidekeyError(
    'UNAUTHORIZED',
    'That code is not correct, or was already used. Enter the current code from your authenticator app, or an unused recovery code.',
    'invalid_code',
  );

/**
 * Two-factor authentication with TOTP (RFC 6238) and one-time recovery codes. The TOTP
 * seed is stored sealed (AES-256-GCM under a key derived from the server secret), never
 * in clear; recovery codes are stored argon2id-hashed.
 */
export function twoFactorService(
  deps: Deps,
  mail: { mailer: Mailer; notices: SecurityNotices; throttles: SignInThrottles },
) {
  const { db, keys, now } = deps;

  async function loadAccount(tx: DbOrTx, accountId: string): Promise<AccountRow> {
    const [account] = await tx.select().from(accounts).where(eq(accounts.id, accountId));
    if (!account) throw notFound('Account');
    return account;
  }

  function open(account: AccountRow, sealed: string | null): Uint8Array | null {
    return sealed ? unseal(keys, SEAL_PURPOSE, account.id, sealed) : null;
  }

  /** A new secret to scan; replaces any unconfirmed one. Nothing changes until confirmEnrollment. */
  async function beginEnrollment(accountId: string, meta: ActorMeta) {
    const account = await loadAccount(db, accountId);
    if (account.totpEnabledAt) {
      throw new SidekeyError(
        'CONFLICT',
        'Two-factor authentication is already on. Turn it off first to set up a new authenticator.',
        'two_factor_already_enabled',
      );
    }
    const secret = newTotpSecret();
    await db
      .update(accounts)
      .set({ totpPendingSecretSealed: seal(keys, SEAL_PURPOSE, account.id, secret) })
      .where(and(eq(accounts.id, accountId), isNull(accounts.totpEnabledAt)));
    await recordAudit(db, { ...meta, accountId, action: 'two_factor_enrollment_started' });
    const uri = otpauthUri(account.email, secret);
    return { secret: encodeTotpSecret(secret), otpauthUri: uri, qrSvg: await qrCodeSvg(uri) };
  }

  /** A correct code turns two-factor on and yields ten recovery codes, shown this once. */
  async function confirmEnrollment(accountId: string, input: { code: string }, meta: ActorMeta) {
    const account = await loadAccount(db, accountId);
    if (account.totpEnabledAt) {
      throw new SidekeyError(
        'CONFLICT',
        'Two-factor authentication is already on.',
        'two_factor_already_enabled',
      );
    }
    const pending = account.totpPendingSecretSealed;
    const secret = open(account, pending);
    if (!pending || !secret) {
      throw new SidekeyError(
        'PRECONDITION_FAILED',
        'Start setting up two-factor authentication first, then enter the code your app shows.',
        'enrollment_not_started',
      );
    }
    // Reserved before the check, so a batch of guesses cannot all be tried at once.
    const attempt = await mail.throttles.reserveEnrolment(accountId);
    const step = matchTotpStep(secret, input.code, now());
    if (step === null) {
      await attempt.failed(input.code.trim());
      throw new SidekeyError(
        'BAD_REQUEST',
        'That code does not match. Check that your phone’s clock is right and enter the code your app shows now.',
        'invalid_code',
      );
    }
    await attempt.succeeded();
    const hashed = await hashNewRecoveryCodes();
    const codes = await db.transaction(async (tx) => {
      // Guarded on the very secret that was checked: a concurrent begin or confirm cannot slip in.
      const [enabled] = await tx
        .update(accounts)
        .set({
          totpSecretSealed: pending,
          totpPendingSecretSealed: null,
          totpEnabledAt: now(),
          totpLastStep: step,
        })
        .where(
          and(
            eq(accounts.id, accountId),
            isNull(accounts.totpEnabledAt),
            eq(accounts.totpPendingSecretSealed, pending),
          ),
        )
        .returning({ id: accounts.id });
      if (!enabled) {
        throw new SidekeyError(
          'CONFLICT',
          'Two-factor set-up changed meanwhile. Start again.',
          'enrollment_changed',
        );
      }
      await recordAudit(tx, { ...meta, accountId, action: 'two_factor_enabled' });
      return replaceRecoveryCodes(tx, accountId, hashed);
    });
    deps.log.info({ accountId }, 'two-factor enabled');
    return { recoveryCodes: codes };
  }

  /**
   * Checks a second factor: a TOTP code (each time step accepted at most once, RFC 6238
   * §5.2 — the step is claimed with a guarded UPDATE so two concurrent uses of one code
   * cannot both pass) or an unused recovery code (used up by this call). Null when
   * neither matches.
   */
  async function verifySecondFactor(
    account: AccountRow,
    code: string,
  ): Promise<SecondFactor | null> {
    const at = now();
    const secret = open(account, account.totpSecretSealed);
    if (!account.totpEnabledAt || !secret) return null;
    const trimmed = code.trim();
    if (/^\d{3}[\s-]?\d{3}$/.test(trimmed)) {
      const step = matchTotpStep(secret, trimmed, at);
      if (step === null) return null;
      const [claimed] = await db
        .update(accounts)
        .set({ totpLastStep: step })
        .where(
          and(
            eq(accounts.id, account.id),
            isNotNull(accounts.totpEnabledAt),
            or(isNull(accounts.totpLastStep), lt(accounts.totpLastStep, step)),
          ),
        )
        .returning({ id: accounts.id });
      return claimed ? 'totp' : null;
    }
    return (await consumeRecoveryCode(db, account.id, trimmed, at)) ? 'recovery_code' : null;
  }

  /** Turning two-factor off revokes every app password, in the same transaction. */
  async function disable(accountId: string, meta: ActorMeta) {
    const { revoked, queued } = await db.transaction(async (tx) => {
      const [disabled] = await tx
        .update(accounts)
        .set({
          totpSecretSealed: null,
          totpPendingSecretSealed: null,
          totpEnabledAt: null,
          totpLastStep: null,
        })
        .where(and(eq(accounts.id, accountId), isNotNull(accounts.totpEnabledAt)))
        .returning({ id: accounts.id });
      if (!disabled) {
        throw new SidekeyError(
          'PRECONDITION_FAILED',
          'Two-factor authentication is already off.',
          'two_factor_not_enabled',
        );
      }
      await tx.delete(recoveryCodes).where(eq(recoveryCodes.accountId, accountId));
      const revoked = await revokeAllForAccount(tx, accountId, 'two_factor_disabled', meta, now());
      await recordAudit(tx, {
        ...meta,
        accountId,
        action: 'two_factor_disabled',
        details: { revokedAppPasswords: revoked },
      });
      return { revoked, queued: await mail.notices.twoFactorDisabled(tx, accountId, revoked) };
    });
    mail.mailer.dispatch(...queued);
    deps.log.info({ accountId, revoked }, 'two-factor disabled');
    return { revokedAppPasswords: revoked };
  }

  /** Ten new recovery codes; every earlier one stops working. */
  async function regenerateRecoveryCodes(accountId: string, meta: ActorMeta) {
    const account = await loadAccount(db, accountId);
    if (!account.totpEnabledAt) {
      throw new SidekeyError(
        'PRECONDITION_FAILED',
        'Turn on two-factor authentication first; recovery codes come with it.',
        'two_factor_not_enabled',
      );
    }
    const hashed = await hashNewRecoveryCodes();
    const codes = await db.transaction(async (tx) => {
      await recordAudit(tx, { ...meta, accountId, action: 'recovery_codes_regenerated' });
      return replaceRecoveryCodes(tx, accountId, hashed);
    });
    return { recoveryCodes: codes };
  }

  async function status(accountId: string) {
    const account = await loadAccount(db, accountId);
    return {
      enabled: account.totpEnabledAt !== null,
      enabledAt: account.totpEnabledAt,
      recoveryCodesLeft: account.totpEnabledAt ? await remainingRecoveryCodes(db, accountId) : 0,
    };
  }

  return {
    beginEnrollment,
    confirmEnrollment,
    verifySecondFactor,
    disable,
    regenerateRecoveryCodes,
    status,
  };
}

export type TwoFactorService = ReturnType<typeof twoFactorService>;

/** No app password without two-factor: checked inside generate's transaction on the locked account row. */
export function requireTwoFactor(account: AccountRow): void {
  if (!account.totpEnabledAt) {
    throw new SidekeyError(
      'PRECONDITION_FAILED',
      'Two-factor authentication must be turned on before you can generate app passwords. Turn it on first, then try again.',
      'two_factor_required',
    );
  }
}
