import { accounts } from '@sidekey/db';
import { eq } from 'drizzle-orm';
import { recordAudit } from '../audit.ts';
import type { ActorMeta, Deps } from '../deps.ts';
import { SidekeyError } from '../errors.ts';
import { normaliseEmail } from './email.ts';
import { burnEquivalentTime, hashSecret, verifySecret } from './password-hashing.ts';
import { assertAcceptablePassword } from './password-policy.ts';
import type { SessionService } from './sessions.ts';

/** Unknown account and wrong password read the same, so sign-in reveals no accounts. */
export const WRONG_CREDENTIALS_MESSAGE = 'That email and password do not match an account.';

export interface Credentials {
  email: string;
  password: string;
}

export type SignInResult =
  | { status: 'signed_in'; accountId: string; sessionToken: string; expiresAt: Date }
  | { status: 'two_factor_required' };

export function accountService(deps: Deps, sessionsService: SessionService) {
  const { db } = deps;

  async function signUp(input: Credentials, meta: ActorMeta) {
    const email = requireEmail(input.email);
    assertAcceptablePassword(input.password);
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

  async function signIn(
    input: Credentials & { code?: string },
    meta: ActorMeta,
  ): Promise<SignInResult> {
    const email = normaliseEmail(input.email);
    const [account] = email
      ? await db.select().from(accounts).where(eq(accounts.email, email))
      : [];
    const passwordOk = account
      ? await verifySecret(account.passwordHash, input.password)
      : await burnEquivalentTime(input.password);
    if (!account || !passwordOk) {
      if (account)
        await recordAudit(db, {
          ...meta,
          actor: 'anonymous',
          accountId: account.id,
          action: 'sign_in_failed',
        });
      throw new SidekeyError('UNAUTHORIZED', WRONG_CREDENTIALS_MESSAGE, 'wrong_credentials');
    }
    if (account.totpEnabledAt && !input.code) return { status: 'two_factor_required' };
    return db.transaction(async (tx) => {
      await recordAudit(tx, { ...meta, actor: 'owner', accountId: account.id, action: 'sign_in' });
      const { token, session } = await sessionsService.create(tx, account.id, meta);
      return {
        status: 'signed_in' as const,
        accountId: account.id,
        sessionToken: token,
        expiresAt: session.expiresAt,
      };
    });
  }

  /** Re-entering the password opens the window for sensitive actions. */
  async function reauthenticate(
    accountId: string,
    sessionId: string,
    input: { password: string },
    meta: ActorMeta,
  ) {
    const [account] = await db.select().from(accounts).where(eq(accounts.id, accountId));
    if (!account || !(await verifySecret(account.passwordHash, input.password))) {
      await recordAudit(db, { ...meta, accountId, action: 'reauthenticate_failed' });
      throw new SidekeyError('UNAUTHORIZED', 'That password is not correct.', 'wrong_credentials');
    }
    await sessionsService.markReauthenticated(sessionId);
    await recordAudit(db, { ...meta, accountId, action: 'reauthenticate' });
  }

  return { signUp, signIn, reauthenticate };
}

function requireEmail(raw: string): string {
  const email = normaliseEmail(raw);
  if (!email)
    throw new SidekeyError(
      'BAD_REQUEST',
      'Enter a valid email address, like name@example.org.',
      'invalid_email',
    );
  return email;
}
