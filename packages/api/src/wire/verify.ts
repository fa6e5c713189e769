import {
  allProtocols,
  protocolScopes,
  type AppPasswordScope,
  type Protocol,
  type VerifyInput,
  type VerifyResult,
} from '@sidekey/core';
import { z } from 'zod';

/**
 * The verify request and answer as they travel on the wire: the one definition that
 * POST /auth/verify, GET /auth/basic and tRPC's service.verify all parse with, and that
 * /openapi.json is generated from — so the three entry points cannot drift apart.
 */

/** Far above any real username or app password, far below the 8 KiB body bound. */
export const CREDENTIAL_MAX_LENGTH = 4096;
/**
 * The user agent is only shown to the owner in their activity, and the relying service
 * cannot choose what the end user's app sends: a longer one is cut, never refused.
 */
export const USER_AGENT_KEPT_LENGTH = 512;

const protocols = allProtocols as [Protocol, ...Protocol[]];
const scopes = [...new Set(Object.values(protocolScopes))] as [
  AppPasswordScope,
  ...AppPasswordScope[],
];

export const verifyRequest = z
  .object(
    {
      username: z
        .string({ error: '“username” must be a string.' })
        .max(
          CREDENTIAL_MAX_LENGTH,
          `“username” can be at most ${CREDENTIAL_MAX_LENGTH} characters.`,
        )
        .meta({ description: 'What the user typed as their username (their email address).' }),
      password: z
        .string({ error: '“password” must be a string.' })
        .max(
          CREDENTIAL_MAX_LENGTH,
          `“password” can be at most ${CREDENTIAL_MAX_LENGTH} characters.`,
        )
        .meta({ description: 'The app password the user typed.' }),
      service: z
        .enum(protocols, { error: `“service” must be one of ${allProtocols.join(', ')}.` })
        .meta({ description: 'The protocol the user is signing in to.' }),
      remoteAddress: z
        .union([z.ipv4(), z.ipv6()], { error: '“remoteAddress” must be an IPv4 or IPv6 address.' })
        .nullish()
        .meta({ description: 'The end user’s address, for throttling and their activity.' }),
      userAgent: z
        .string({ error: '“userAgent” must be a string.' })
        .overwrite((value) => value.slice(0, USER_AGENT_KEPT_LENGTH))
        .nullish()
        .meta({
          description: `The end user’s client, shown in their activity; only the first ${USER_AGENT_KEPT_LENGTH} characters are kept.`,
        }),
    },
    {
      error:
        'The body must be a JSON object: {"username", "password", "service", "remoteAddress"?, "userAgent"?}.',
    },
  )
  .meta({
    id: 'VerifyRequest',
    description: 'Is this app password valid for this user and protocol?',
  });

export type VerifyRequest = z.infer<typeof verifyRequest>;

/** The wire's names to the verify path's. */
export function toVerifyInput(request: VerifyRequest): VerifyInput {
  return {
    username: request.username,
    password: request.password,
    service: request.service,
    address: request.remoteAddress ?? null,
    userAgent: request.userAgent ?? null,
  };
}

/** The first problem, in words a developer understands (a message never echoes a value). */
export function describeInvalidRequest(error: z.ZodError): string {
  return error.issues[0]?.message ?? 'The request is not valid.';
}

export const verifyAccepted = z
  .object({
    ok: z.literal(true),
    accountId: z.uuid(),
    credentialId: z.uuid().meta({ description: 'The app password that matched.' }),
    username: z.string().meta({ description: 'The account’s email address.' }),
    scopes: z.array(z.enum(scopes)).meta({ description: 'What this app password may reach.' }),
  })
  .meta({ id: 'VerifyAccepted' });

export const verifyRefused = z
  .object({
    ok: z.literal(false),
    reason: z.enum(['invalid', 'revoked', 'expired', 'scope_denied', 'throttled']).meta({
      description:
        'invalid: wrong password, unknown user or someone else’s password (never told apart); revoked and expired only for the right secret; scope_denied: the password may not reach this protocol; throttled: too many failures.',
    }),
    retryAfterSeconds: z
      .number()
      .int()
      .positive()
      .optional()
      .meta({ description: 'With throttled: seconds until the next attempt is heard.' }),
  })
  .meta({ id: 'VerifyRefused' });

/** A refusal is an answer, not an error: either shape comes back from every entry point. */
export const verifyResponse = z
  .discriminatedUnion('ok', [verifyAccepted, verifyRefused])
  .meta({ id: 'VerifyResponse' });

export type VerifyResponse = z.infer<typeof verifyResponse>;

export const serviceUnauthorized = z
  .object({ ok: z.literal(false), reason: z.literal('service_unauthorized') })
  .meta({ id: 'ServiceUnauthorized', description: 'A missing, unknown or revoked service key.' });

export const serviceNotAllowed = z
  .object({ ok: z.literal(false), reason: z.literal('service_not_allowed') })
  .meta({
    id: 'ServiceNotAllowed',
    description: 'A valid service key that was not made for this protocol.',
  });

/** /auth/basic: what nginx's configuration got wrong; nginx shows it as a 500 and logs it. */
export const misconfigured = z
  .object({
    ok: z.literal(false),
    reason: z.enum(['bad_request', 'service_unauthorized', 'service_not_allowed']),
    message: z.string(),
  })
  .meta({
    id: 'Misconfigured',
    description:
      'No or an unknown protocol, no IP address, or a missing, unknown, revoked or unfit service key.',
  });

export const badRequest = z
  .object({ ok: z.literal(false), reason: z.literal('bad_request'), message: z.string() })
  .meta({ id: 'BadRequest', description: 'What is wrong with the request; it changed nothing.' });

export const unavailable = z
  .object({ ok: z.literal(false), reason: z.literal('unavailable'), message: z.string() })
  .meta({
    id: 'Unavailable',
    description: 'Sidekey cannot answer now (e.g. its database is down).',
  });

// The verify path's answer must fit the wire's: a new refusal reason fails to compile here.
type Fits<T extends U, U> = T;
export type VerifyResultFitsTheWire = Fits<
  Exclude<VerifyResult, { reason: 'service_unauthorized' | 'service_not_allowed' }>,
  VerifyResponse
>;
