import { APP_PASSWORD_SCOPES, CLIENT_NAME_MAX_LENGTH } from '@sidekey/core';
import { z } from 'zod';

/**
 * The login flow as apps see it (shaped on RFC 8628's device authorization and Nextcloud's
 * Login Flow v2): one schema per message, parsed by the routes and named in the docs.
 * Field names follow RFC 8628 where it has one, so device-flow code reads naturally.
 */

/** Far above a name and four scopes; the routes refuse a larger body with 413. */
export const CONNECT_BODY_LIMIT = 4 * 1024;

const scope = z.enum(APP_PASSWORD_SCOPES, {
  error: 'Scopes are mail, contacts, calendars or files.',
});

/** POST /connect/requests */
export const connectStartRequest = z
  .object(
    {
      client_name: z
        .string({ error: '“client_name” must be a string.' })
        .max(
          CLIENT_NAME_MAX_LENGTH,
          `“client_name” can be at most ${CLIENT_NAME_MAX_LENGTH} characters.`,
        )
        .optional()
        .meta({ description: 'The app’s name, shown to the owner (default: its User-Agent).' }),
      scopes: z
        .array(scope, { error: '“scopes” must be a list, such as ["mail"].' })
        .max(8, 'Too many scopes.')
        .optional()
        .meta({ description: 'What the app asks to reach; the owner may change it.' }),
    },
    { error: 'The body must be a JSON object: {"client_name"?, "scopes"?}.' },
  )
  .meta({
    id: 'ConnectStartRequest',
    description: 'An app asks for its own app password; an empty body is {}.',
  });

export const connectStarted = z
  .object({
    device_code: z.string().meta({ description: 'The poll token: secret, POST it to poll.' }),
    user_code: z.string().meta({ description: 'XXXX-XXXX, shown to the owner by the app.' }),
    verification_uri: z.string().meta({ description: 'Where the owner types the user code.' }),
    verification_uri_complete: z
      .string()
      .meta({ description: 'The same page with the code filled in: open it in the browser.' }),
    poll_uri: z.string().meta({ description: 'Where to POST {"device_code"}.' }),
    expires_in: z.number().int().meta({ description: 'Seconds the request lives.' }),
    interval: z.number().int().meta({ description: 'Seconds to wait between polls.' }),
  })
  .meta({ id: 'ConnectStarted', description: 'The request is waiting for the owner.' });

/** POST /connect/requests/poll: the token goes in the body, never in a URL. */
export const connectPollRequest = z
  .object(
    {
      device_code: z
        .string({ error: '“device_code” must be a string.' })
        .min(1, 'Send the “device_code” you were given.')
        .max(128, 'That is not a device_code.'),
    },
    { error: 'The body must be a JSON object: {"device_code"}.' },
  )
  .meta({ id: 'ConnectPollRequest', description: 'Has the owner decided?' });

/** The one answer that carries the password: given once. */
export const connectCollected = z
  .object({
    server: z.string().meta({ description: 'This Sidekey’s origin.' }),
    username: z.string().meta({ description: 'The login name to use with the password.' }),
    appPassword: z.string().meta({ description: 'The app’s own password: keep it secret.' }),
    label: z.string().meta({ description: 'The name the owner gave it.' }),
    scopes: z
      .array(scope)
      .meta({ description: 'What the owner let it reach (maybe less than asked).' }),
  })
  .meta({
    id: 'ConnectCollected',
    description: 'Approved: the credentials, answered to one poll only.',
  });

export const connectErrorCodes = [
  'authorization_pending',
  'slow_down',
  'access_denied',
  'expired_token',
  'invalid_request',
  'too_many_requests',
  // RFC 6749 §4.1.2.1's word for a server that cannot answer now (its database is down).
  'temporarily_unavailable',
] as const;

/** Every other answer, as RFC 8628 §3.5 (and RFC 6749 §5.2) words them. */
export const connectError = z
  .object({
    error: z.enum(connectErrorCodes),
    error_description: z.string().meta({ description: 'What happened, for a developer.' }),
    interval: z
      .number()
      .int()
      .optional()
      .meta({ description: 'With authorization_pending and slow_down: seconds to wait.' }),
  })
  .meta({ id: 'ConnectError' });

export type ConnectStartRequest = z.infer<typeof connectStartRequest>;
export type ConnectStarted = z.infer<typeof connectStarted>;
export type ConnectCollected = z.infer<typeof connectCollected>;
export type ConnectError = z.infer<typeof connectError>;
