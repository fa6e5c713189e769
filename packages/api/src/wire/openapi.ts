import { z } from 'zod';
import {
  CONNECT_BODY_LIMIT,
  connectCollected,
  connectError,
  connectPollRequest,
  connectStarted,
  connectStartRequest,
  type ConnectError,
} from './connect-requests.ts';
import { eventsRequest, revocationEvent } from './events.ts';
import { healthy, unhealthy } from './health.ts';
import {
  badRequest,
  misconfigured,
  serviceNotAllowed,
  serviceUnauthorized,
  unavailable,
  verifyAccepted,
  verifyRefused,
  verifyRequest,
  verifyResponse,
} from './verify.ts';

/** The named schemas of the wire modules (each carries its `id`), each a component of the document. */
const COMPONENTS = [
  verifyRequest,
  verifyAccepted,
  verifyRefused,
  verifyResponse,
  serviceUnauthorized,
  serviceNotAllowed,
  misconfigured,
  badRequest,
  unavailable,
  revocationEvent,
  healthy,
  unhealthy,
  connectStartRequest,
  connectStarted,
  connectPollRequest,
  connectCollected,
  connectError,
].map((schema) => z.globalRegistry.get(schema)!.id!);

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (schema: object) => ({ 'application/json': { schema } });
const header = (description: string, schema: object = { type: 'string' }) => ({
  description,
  schema,
});

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) of one zod schema, the way a client sends it. */
function inputSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' });
  return rest;
}

function componentSchemas(): Record<string, unknown> {
  const all = z.toJSONSchema(z.globalRegistry, {
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
    // Dates travel as ISO 8601 strings (superjson's `json` part).
    unrepresentable: 'any',
    override: (context) => {
      if (context.zodSchema._zod.def.type === 'date') {
        Object.assign(context.jsonSchema, { type: 'string', format: 'date-time' });
      }
    },
  }).schemas;
  return Object.fromEntries(
    COMPONENTS.map((id) => {
      const { $schema: _, $id: __, ...schema } = all[id] as Record<string, unknown>;
      return [id, schema];
    }),
  );
}

const verifyFields = verifyRequest.shape;

/** ConnectError narrowed to the codes one status carries, so a client knows which to expect. */
const connectErrors = (...codes: Array<ConnectError['error']>) =>
  json({ allOf: [ref('ConnectError'), { properties: { error: { enum: codes } } }] });
const connectTooLarge = {
  description: `The body is over ${CONNECT_BODY_LIMIT / 1024} KiB.`,
  content: connectErrors('invalid_request'),
};
const unavailableResponse = {
  description: 'Sidekey cannot answer now (its database is down); try again.',
  content: json(ref('Unavailable')),
};
const connectUnavailable = {
  description: 'Sidekey cannot answer now (its database is down); try again after Retry-After.',
  headers: {
    'Retry-After': { ...header('Seconds to wait.', { type: 'integer' }), required: true },
  },
  content: connectErrors('temporarily_unavailable'),
};

/**
 * The plain-HTTP API as OpenAPI 3.1, built from the same zod schemas the handlers parse
 * with, so the description cannot say one thing while the server does another.
 */
function build() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sidekey relying-service API',
      version: '0.1.0',
      description:
        'Verify app passwords from any backend, and follow revocations. A typed TypeScript client is @sidekey/client. Apps get their own app password through the login flow (/connect/requests, shaped on RFC 8628).',
    },
    components: {
      securitySchemes: {
        serviceKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'A relying service’s key (sksvc_…), from `sidekey service add <name>`.',
        },
        appPassword: {
          type: 'http',
          scheme: 'basic',
          description: 'The end user’s username and app password, as the client sent them.',
        },
        metricsToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'SIDEKEY_METRICS_TOKEN, when the operator set one.',
        },
      },
      schemas: componentSchemas(),
    },
    paths: {
      '/auth/verify': {
        post: {
          operationId: 'verify',
          summary: 'Is this app password valid for this user and protocol?',
          security: [{ serviceKey: [] }],
          requestBody: { required: true, content: json(ref('VerifyRequest')) },
          responses: {
            '200': { description: 'Valid.', content: json(ref('VerifyAccepted')) },
            '400': { description: 'Not a verify request.', content: json(ref('BadRequest')) },
            '401': {
              description: 'Refused, or the service key is not valid.',
              headers: {
                'Retry-After': header('With throttled: seconds to wait.', { type: 'integer' }),
              },
              content: json({ oneOf: [ref('VerifyRefused'), ref('ServiceUnauthorized')] }),
            },
            '403': {
              description: 'The service key was not made for this protocol.',
              content: json(ref('ServiceNotAllowed')),
            },
            '405': { description: 'Only POST.', content: json(ref('BadRequest')) },
            '413': { description: 'The body is over 8 KiB.', content: json(ref('BadRequest')) },
            '503': unavailableResponse,
          },
        },
      },
      '/auth/basic': {
        get: {
          operationId: 'verifyBasic',
          summary: 'The same question for nginx auth_request: HTTP Basic from the client.',
          security: [{ appPassword: [] }],
          parameters: [
            {
              name: 'X-Sidekey-Service',
              in: 'header',
              required: true,
              schema: inputSchema(verifyFields.service),
            },
            {
              name: 'X-Sidekey-Service-Key',
              in: 'header',
              required: true,
              schema: { type: 'string' },
            },
            {
              name: 'X-Sidekey-Client-Address',
              in: 'header',
              schema: inputSchema(verifyFields.remoteAddress.unwrap().unwrap()),
            },
            {
              name: 'X-Sidekey-Client-User-Agent',
              in: 'header',
              schema: inputSchema(verifyFields.userAgent.unwrap().unwrap()),
            },
          ],
          responses: {
            '204': {
              description: 'Valid.',
              headers: {
                'X-Sidekey-Account': header('The account’s email address.'),
                'X-Sidekey-Account-Id': header('The account id.', {
                  type: 'string',
                  format: 'uuid',
                }),
                'X-Sidekey-Credential-Id': header('The app password that matched.', {
                  type: 'string',
                  format: 'uuid',
                }),
                'X-Sidekey-Scopes': header('What it may reach, comma-separated.'),
              },
            },
            '400': {
              description:
                'nginx is misconfigured: no or an unknown protocol, no IP address, or a missing, unknown, revoked or unfit service key (nginx answers the user 500 and logs it).',
              headers: {
                'X-Sidekey-Reason': header('Why, for the operator’s log.', {
                  type: 'string',
                  enum: ['bad_request', 'service_unauthorized', 'service_not_allowed'],
                }),
              },
              content: json(ref('Misconfigured')),
            },
            '401': {
              description: 'Every refusal (nginx turns other statuses into a 500 for the user).',
              headers: {
                'WWW-Authenticate': header('Basic realm="Sidekey", charset="UTF-8"'),
                'X-Sidekey-Reason': header('Why, for the operator’s log.', {
                  type: 'string',
                  enum: ['invalid', 'revoked', 'expired', 'scope_denied', 'throttled'],
                }),
                'Retry-After': header('With throttled: seconds to wait.', { type: 'integer' }),
              },
            },
            '405': { description: 'Only GET.', content: json(ref('BadRequest')) },
            '503': unavailableResponse,
          },
        },
      },
      '/connect/requests': {
        post: {
          operationId: 'connectStart',
          summary: 'An app starts the login flow (RFC 8628 §3.1–3.2).',
          description:
            'Public: nothing is granted until the owner, signed in, approves the user code. At most 10 requests wait per address; starts count against the address’s request throttle.',
          security: [],
          requestBody: { required: false, content: json(ref('ConnectStartRequest')) },
          responses: {
            '200': { description: 'Started.', content: json(ref('ConnectStarted')) },
            '400': {
              description:
                'Not JSON, an unknown scope, or a name too long or with invisible characters.',
              content: connectErrors('invalid_request'),
            },
            '413': connectTooLarge,
            '429': {
              description: 'Too many requests from this address, or too many waiting.',
              headers: {
                'Retry-After': {
                  ...header('Seconds to wait.', { type: 'integer' }),
                  required: true,
                },
              },
              content: connectErrors('too_many_requests'),
            },
            '503': connectUnavailable,
          },
        },
      },
      '/connect/requests/poll': {
        post: {
          operationId: 'connectPoll',
          summary: 'Has the owner decided? (RFC 8628 §3.4–3.5)',
          description:
            'The device_code travels in the body, never in a URL. The credentials are answered to exactly one poll; every later one hears expired_token.',
          security: [],
          requestBody: { required: true, content: json(ref('ConnectPollRequest')) },
          responses: {
            '200': {
              description: 'Approved: the credentials, once.',
              headers: {
                'Cache-Control': header('The answer carries a password: never stored.', {
                  type: 'string',
                  enum: ['no-store'],
                }),
              },
              content: json(ref('ConnectCollected')),
            },
            '400': {
              description:
                'authorization_pending: poll again after interval; slow_down: polled too early, interval grew; access_denied: the owner refused (told once); expired_token: unknown, expired or already collected; invalid_request: not {"device_code"}.',
              content: connectErrors(
                'authorization_pending',
                'slow_down',
                'access_denied',
                'expired_token',
                'invalid_request',
              ),
            },
            '413': connectTooLarge,
            '503': connectUnavailable,
          },
        },
      },
      '/healthz': {
        get: {
          operationId: 'health',
          summary: 'For load balancers: does the database answer?',
          responses: {
            '200': { description: 'Healthy.', content: json(ref('Healthy')) },
            '503': {
              description: 'The database does not answer.',
              content: json(ref('Unhealthy')),
            },
          },
        },
      },
      '/metrics': {
        get: {
          operationId: 'metrics',
          summary:
            'Prometheus text: sidekey_verifications_total{result,service}, latency, process.',
          security: [{}, { metricsToken: [] }],
          responses: {
            '200': {
              description: 'Prometheus text exposition format.',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
            '401': {
              description: 'SIDEKEY_METRICS_TOKEN is set and the request does not carry it.',
              headers: { 'WWW-Authenticate': header('Bearer realm="Sidekey metrics"') },
            },
          },
        },
      },
      '/api/trpc/service.events': {
        get: {
          operationId: 'events',
          summary:
            'Revocations as Server-Sent Events (tRPC subscription; @sidekey/client wraps it).',
          description:
            'Each revocation is an SSE message whose `id:` is its event id and whose `data:` is superjson: `{"json": RevocationEvent, "meta": …}` (see x-sidekey-event). A reconnecting client sends Last-Event-ID and gets exactly what it missed. A ping comes every 15 s; reconnect when 40 s pass without one.',
          security: [{ serviceKey: [] }],
          parameters: [
            {
              name: 'input',
              in: 'query',
              description: 'superjson of the input: {"json": {"lastEventId": "42"}}.',
              content: json({
                type: 'object',
                properties: { json: inputSchema(eventsRequest) },
              }),
            },
            {
              name: 'Last-Event-ID',
              in: 'header',
              description: 'Sent by EventSource on reconnect; takes the place of lastEventId.',
              schema: { type: 'string', pattern: '^\\d{1,15}$' },
            },
          ],
          responses: {
            '200': {
              description: 'The event stream; it stays open.',
              content: {
                'text/event-stream': {
                  schema: { type: 'string' },
                  'x-sidekey-event': ref('RevocationEvent'),
                },
              },
            },
          },
        },
      },
    },
  };
}

let document: ReturnType<typeof build> | undefined;

export function openApiDocument() {
  document ??= build();
  return document;
}
