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
  .meta({ id: 'ConnectStartRequest' });

export const connectStarted = z
  .object({
    device_code: z.string().meta({ description: 'The poll token: secret, POST it to poll.' }),
    user_code: z.string().meta({ description: 'XXXX-XXXX, shown to the owner by the app.' }),
    verification_uri: z.string(),
    verification_uri_complete: z.string(),
    poll_uri: z.string(),
    expires_in: z.number().int(),
    interval: z.number().int(),
  })
  .meta({ id: 'ConnectStarted' });

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
  .meta({ id: 'ConnectPollRequest' });

/** The one answer that carries the password: given once. */
export const connectCollected = z
  .object({
    server: z.string(),
    username: z.string().meta({ description: 'The login name to use with the password.' }),
    appPassword: z.string(),
    label: z.string(),
    scopes: z.array(scope),
  })
  .meta({ id: 'ConnectCollected' });

export const connectErrorCodes = [
  'authorization_pending',
  'slow_down',
  'access_denied',
  'expired_token',
  'invalid_request',
  'too_many_requests',
] as const;

/** Every other answer, as RFC 8628 §3.5 (and RFC 6749 §5.2) words them. */
export const connectError = z
  .object({
    error: z.enum(connectErrorCodes),
    error_description: z.string(),
    interval: z.number().int().optional(),
  })
  .meta({ id: 'ConnectError' });

export type ConnectStartRequest = z.infer<typeof connectStartRequest>;
export type ConnectStarted = z.infer<typeof connectStarted>;
export type ConnectCollected = z.infer<typeof connectCollected>;
export type ConnectError = z.infer<typeof connectError>;
