import { accounts } from '@sidekey/db';
import { eq } from 'drizzle-orm';
import type { ActorMeta, Deps } from '../deps.ts';
import { SidekeyError } from '../errors.ts';
import type { Mailer } from '../mail/mailer.ts';
import { seal, unseal } from '../secrets/sealing.ts';
import { hashSecret } from './password-hashing.ts';
import { assertAcceptablePassword } from './password-policy.ts';
import { createAccountWithSession } from './create-account.ts';
import { requireEmail } from './authentication.ts';
import type { SessionService } from './sessions.ts';
import type { SignInThrottles } from './sign-in-throttle.ts';

/** How long the link that finishes a sign-up works. */
export const SIGN_UP_LINK_TTL_MS = 24 * 60 * 60_000;
const SEAL_PURPOSE = 'sign-up';

export interface SignUpParts {
  sessions: SessionService;
  throttles: SignInThrottles;
  mailer: Mailer;
  /** Public URL (ORIGIN) the link points at; never taken from the request. */
  origin?: string;
  /** Runs work after the answer (default: the mailer's `later`); tests pass their own. */
  defer?: (work: () => Promise<void>) => void;
}

/**
 * Sign-up that tells no one whether an email has an account (OWASP Authentication
 * cheat sheet: account enumeration). Every request answers "check your email"; the
 * mailbox then gets either a link that creates the account (a new address) or a note
 * that someone tried to sign up with it (an address that has an account). Only whoever
 * reads the mailbox learns which, so creating an account also proves the address.
 *
 * The link carries the email and the argon2id hash of the chosen password, sealed
 * (AES-256-GCM under the server secret) with its expiry: nothing is stored until it is
 * opened, so unconfirmed sign-ups cannot fill the database.
 */
export function signUpService(deps: Deps, parts: SignUpParts) {
  const { db, keys, now } = deps;
  const defer = parts.defer ?? ((work: () => Promise<void>) => parts.mailer.later(work));
  const origin = () => (parts.origin ?? 'http://localhost:3000').replace(/\/+$/, '');

  async function requestSignUp(
    input: { email: string; password: string },
    meta: ActorMeta,
  ): Promise<{ status: 'check_email'; email: string }> {
    const email = requireEmail(input.email);
    assertAcceptablePassword(input.password, { email });
    await parts.throttles.reserveRequest('sign-up', meta.address);
    // Hashed whatever the email, before it is looked up: both answers cost the same.
    const passwordHash = await hashSecret(input.password);
    defer(() => mailTheAddress(email, passwordHash));
    return { status: 'check_email', email };
  }

  async function mailTheAddress(email: string, passwordHash: string): Promise<void> {
    const [existing] = await db
      .select({ id: accounts.id })
      .from(accounts)
      .where(eq(accounts.email, email));
    if (existing) {
      await parts.mailer.send({
        to: email,
        subject: 'Sidekey: someone tried to sign up with your address',
        body: [
          'Someone tried to create a Sidekey account with this email address, which already has one.',
          '',
          `If it was you, sign in instead: ${origin()}/sign-in`,
          `Forgot your password? Reset it: ${origin()}/forgot-password`,
          '',
          'If it was not you, you need not do anything: your account is unchanged.',
          '',
        ].join('\n'),
      });
      return;
    }
    const expiresAt = now().getTime() + SIGN_UP_LINK_TTL_MS;
    const token = seal(
      keys,
      SEAL_PURPOSE,
      'link',
      new TextEncoder().encode(JSON.stringify({ email, passwordHash, expiresAt })),
    );
    const link = `${origin()}/sign-up/confirm#token=${token}`;
    await parts.mailer.send({
      to: email,
      subject: 'Sidekey: finish creating your account',
      body: [
        'Someone (hopefully you) asked to create a Sidekey account with this email address.',
        '',
        'Open this link within 24 hours to finish; it signs you in:',
        link,
        '',
        'If it was not you, ignore this message: no account is created.',
        '',
      ].join('\n'),
      secrets: [link],
    });
  }

  /** Opens the link: creates the account and a session (once: the email is unique). */
  async function confirmSignUp(input: { token: string }, meta: ActorMeta) {
    const invalid = () =>
      new SidekeyError(
        'BAD_REQUEST',
        'This sign-up link is invalid or has expired. Sign up again to get a new one.',
        'invalid_token',
      );
    const token = input.token.trim().replace(/^#?token=/, '');
    const opened = token.length <= 2048 ? unseal(keys, SEAL_PURPOSE, 'link', token) : null;
    if (!opened) throw invalid();
    const { email, passwordHash, expiresAt } = JSON.parse(new TextDecoder().decode(opened)) as {
      email: string;
      passwordHash: string;
      expiresAt: number;
    };
    if (expiresAt <= now().getTime()) throw invalid();
    return createAccountWithSession(
      db,
      parts.sessions,
      { email, passwordHash },
      meta,
      () =>
        new SidekeyError(
          'CONFLICT',
          'This link was already used: your account exists. Sign in instead.',
          'already_signed_up',
        ),
    );
  }

  return { requestSignUp, confirmSignUp };
}
