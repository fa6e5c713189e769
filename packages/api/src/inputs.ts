import { APP_PASSWORD_SCOPES, EMAIL_MAX_LENGTH, PASSWORD_MAX_LENGTH } from '@sidekey/core';
import { z } from 'zod';

/**
 * Shapes of what clients may send, with messages a person understands. Limits here are
 * generous bounds that keep absurd input off the server; core applies the real rules.
 */
export const email = z
  .string({ error: 'Enter your email address.' })
  .max(EMAIL_MAX_LENGTH, `An email address can be at most ${EMAIL_MAX_LENGTH} characters long.`);

export const password = z
  .string({ error: 'Enter your password.' })
  .min(1, 'Enter your password.')
  .max(PASSWORD_MAX_LENGTH, `A password can be at most ${PASSWORD_MAX_LENGTH} characters long.`);

/** A new password: core checks length, common passwords and context; this only bounds it. */
export const newPassword = z
  .string({ error: 'Choose a new password.' })
  .min(1, 'Choose a new password.')
  .max(PASSWORD_MAX_LENGTH, `A password can be at most ${PASSWORD_MAX_LENGTH} characters long.`);

export const twoFactorCode = z
  .string({ error: 'Enter the code from your authenticator app.' })
  .trim()
  .max(64, 'That code is too long.');

export const credentialId = z.uuid({ error: 'That is not an app password id.' });

export const label = z
  .string({ error: 'Give the app password a label, such as the name of the app that will use it.' })
  .max(1024, 'A label can be at most 64 characters long.');

export const scopes = z
  .array(z.enum(APP_PASSWORD_SCOPES, { error: 'Scopes are mail, contacts, calendars or files.' }), {
    error: 'Scopes must be a list, such as ["mail"].',
  })
  .max(APP_PASSWORD_SCOPES.length * 2, 'Too many scopes.');
