import { MAX_PENDING_PER_ADDRESS } from '@sidekey/core';
import { signUpOwner } from '@sidekey/core/testing';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededStore, type SeededStore } from './seeded.ts';
import { startSidekey, type RunningSidekey } from './start.ts';

// /openapi.json against what the running server really sends: every answer below must be a
// documented status, with the documented content type, body schema and headers.
const METRICS_TOKEN = 'openapi-test-metrics-token';
let store: SeededStore;
let app: RunningSidekey;
let document: OpenApi;
const seed = {
  email: '',
  password: '',
  ownerPassword: '',
  serviceKey: '',
  calendarKey: '',
  /** A fresh TOTP code for the owner each call (each step is accepted once). */
  totpCode: (): string => {
    throw new Error('the owner was not seeded');
  },
};
const checked = new Set<string>();

interface OpenApiResponse {
  description: string;
  headers?: Record<string, { schema?: object; required?: boolean }>;
  content?: Record<string, { schema: object }>;
}
interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, OpenApiResponse> }>>;
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);

beforeAll(async () => {
  store = await seededStore();
  const { sidekey, database } = await store.open();
  const owner = await signUpOwner(sidekey);
  const generated = await sidekey.appPasswords.generate(
    owner.accountId,
    { label: 'Phone' },
    { actor: 'owner' },
  );
  Object.assign(seed, {
    email: owner.email,
    password: generated.password,
    ownerPassword: owner.password,
    totpCode: owner.totpCode,
    serviceKey: (await sidekey.serviceKeys.create('openapi-test', { actor: 'operator' })).key,
    // A key made for calendars only: asking it about IMAP is the 403 of the document.
    calendarKey: (
      await sidekey.serviceKeys.create('openapi-calendars', { actor: 'operator' }, ['caldav'])
    ).key,
  });
  await database.close();
  app = await startSidekey({ ...store.env, SIDEKEY_METRICS_TOKEN: METRICS_TOKEN });
  const served = await fetch(new URL('/openapi.json', app.url));
  expect(served.status).toBe(200);
  document = (await served.json()) as OpenApi;
  ajv.addSchema(document, 'openapi');
});
afterAll(async () => {
  await app?.stop();
  await store?.dispose();
});

const pointer = (...parts: string[]) =>
  parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/** Fails unless the response is one the document describes, in every part it describes. */
async function conforms(path: string, method: string, response: Response) {
  const status = String(response.status);
  const documented = document.paths[path]?.[method]?.responses[status];
  expect(
    documented,
    `${method.toUpperCase()} ${path} answered an undocumented ${status}`,
  ).toBeDefined();
  checked.add(`${method} ${path} ${status}`);
  const base = `openapi#/${pointer('paths', path, method, 'responses', status)}`;
  for (const [name, described] of Object.entries(documented!.headers ?? {})) {
    const value = response.headers.get(name);
    // Unless the document requires it, Retry-After comes only with throttled.
    if (name === 'Retry-After' && !described.required && value === null) continue;
    expect(value, `${name} on ${status}`).not.toBeNull();
    const schema = described.schema as { type?: string } | undefined;
    if (schema) {
      const typed = schema.type === 'integer' ? Number(value) : value;
      const valid = ajv.validate({ $ref: `${base}/${pointer('headers', name, 'schema')}` }, typed);
      expect(valid, `${name}: ${ajv.errorsText()}`).toBe(true);
    }
  }
  const text = await response.text();
  if (!documented!.content) {
    expect(text, `${status} has no documented body`).toBe('');
    return;
  }
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  expect(Object.keys(documented!.content)).toContain(contentType);
  if (contentType !== 'application/json') return;
  const valid = ajv.validate(
    { $ref: `${base}/${pointer('content', contentType, 'schema')}` },
    JSON.parse(text),
  );
  expect(valid, `${method.toUpperCase()} ${path} ${status}: ${ajv.errorsText()} in ${text}`).toBe(
    true,
  );
}

const verify = (body: string, serviceKey: string | null = seed.serviceKey, method = 'POST') =>
  fetch(new URL('/auth/verify', app.url), {
    method,
    headers: serviceKey ? { authorization: `Bearer ${serviceKey}` } : {},
    body: method === 'POST' ? body : undefined,
  });

const basic = (password: string, headers: Record<string, string> = {}, method = 'GET') =>
  fetch(new URL('/auth/basic', app.url), {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${seed.email}:${password}`).toString('base64')}`,
      'x-sidekey-service': 'imap',
      'x-sidekey-service-key': seed.serviceKey,
      'x-sidekey-client-address': '203.0.113.7',
      ...headers,
    },
  });

/** An app's JSON post to the login flow; a string body is sent as it is. */
const connect = (path: string, body: object | string) =>
  fetch(new URL(path, app.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'OpenAPI test app/1' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

async function started(clientName: string) {
  const response = await connect('/connect/requests', { client_name: clientName });
  expect(response.status).toBe(200);
  return (await response.json()) as { device_code: string; user_code: string };
}

/** The poll's answer, its body read from a copy so that conforms() can read it again. */
async function poll(deviceCode: string) {
  const response = await connect('/connect/requests/poll', { device_code: deviceCode });
  return { response, body: (await response.clone().json()) as Record<string, unknown> };
}

/** A tRPC mutation over HTTP, as the owner's browser makes it, keeping the session cookie. */
async function trpc(cookie: { value: string | null }, path: string, input: unknown) {
  const response = await fetch(new URL(`/api/trpc/${path}`, app.url), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(cookie.value ? { cookie: cookie.value } : {}),
    },
    body: JSON.stringify({ json: input }),
  });
  const setCookie = response.headers.get('set-cookie');
  if (setCookie) cookie.value = setCookie.split(';')[0]!;
  const body = (await response.json()) as { result?: unknown; error?: unknown };
  expect(body.error, `${path}: ${JSON.stringify(body.error)}`).toBeUndefined();
}

describe('GET /openapi.json', () => {
  it('serves OpenAPI 3.1 describing the plain-HTTP API', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toContain('/auth/verify');
  });
});

describe('each documented response is what the server sends', () => {
  it('POST /auth/verify', async () => {
    const body = (password: string, extra: object = {}) =>
      JSON.stringify({ username: seed.email, password, service: 'imap', ...extra });
    await conforms('/auth/verify', 'post', await verify(body(seed.password)));
    await conforms('/auth/verify', 'post', await verify(body('skap-wrong')));
    await conforms('/auth/verify', 'post', await verify(body(seed.password), null));
    await conforms('/auth/verify', 'post', await verify(body(seed.password, { service: 'ftp' })));
    await conforms('/auth/verify', 'post', await verify(JSON.stringify({ pad: 'x'.repeat(9000) })));
    await conforms('/auth/verify', 'post', await verify('', seed.serviceKey, 'PUT'));
    await conforms('/auth/verify', 'post', await verify(body(seed.password), seed.calendarKey));
  });

  it('GET /auth/basic', async () => {
    await conforms('/auth/basic', 'get', await basic(seed.password));
    await conforms('/auth/basic', 'get', await basic('skap-wrong'));
    await conforms(
      '/auth/basic',
      'get',
      await basic(seed.password, { 'x-sidekey-service': 'gopher' }),
    );
    await conforms('/auth/basic', 'get', await basic(seed.password, {}, 'POST'));
  });

  it('GET /healthz and GET /metrics', async () => {
    await conforms('/healthz', 'get', await fetch(new URL('/healthz', app.url)));
    await conforms('/metrics', 'get', await fetch(new URL('/metrics', app.url)));
    const scraped = await fetch(new URL('/metrics', app.url), {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    await conforms('/metrics', 'get', scraped);
  });

  it('GET /api/trpc/service.events is an event stream for a service key', async () => {
    const stop = new AbortController();
    const url = new URL('/api/trpc/service.events', app.url);
    url.searchParams.set('input', JSON.stringify({ json: { lastEventId: '0' } }));
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${seed.serviceKey}`, accept: 'text/event-stream' },
      signal: stop.signal,
    });
    expect(response.status).toBe(200);
    expect(
      document.paths['/api/trpc/service.events']!.get!.responses['200']!.content,
    ).toHaveProperty((response.headers.get('content-type') ?? '').split(';')[0]!);
    checked.add('get /api/trpc/service.events 200');
    const first = await response.body!.getReader().read();
    expect(new TextDecoder().decode(first.value)).toMatch(/^(event|data|id|:)/m);
    stop.abort();
  });

  it('POST /connect/requests and POST /connect/requests/poll, through approval and denial', async () => {
    // Start with no name (the User-Agent names the app), an unknown scope, a body over
    // 4 KiB; poll without a device_code, and over 4 KiB. The last test checks each status came.
    await conforms('/connect/requests', 'post', await connect('/connect/requests', {}));
    await conforms(
      '/connect/requests',
      'post',
      await connect('/connect/requests', '{"scopes": ["root"]}'),
    );
    await conforms(
      '/connect/requests',
      'post',
      await connect('/connect/requests', { client_name: 'x'.repeat(5000) }),
    );
    await conforms('/connect/requests/poll', 'post', await connect('/connect/requests/poll', '{}'));
    await conforms(
      '/connect/requests/poll',
      'post',
      await connect('/connect/requests/poll', { device_code: 'x'.repeat(5000) }),
    );

    // Polled at once, then again too early: authorization_pending, then slow_down.
    const waiting = await started('Eager App');
    const pending = await poll(waiting.device_code);
    expect(pending.body).toMatchObject({ error: 'authorization_pending' });
    await conforms('/connect/requests/poll', 'post', pending.response);
    const early = await poll(waiting.device_code);
    expect(early.body).toMatchObject({ error: 'slow_down' });
    await conforms('/connect/requests/poll', 'post', early.response);

    // The owner signs in (with a code, so the session is fresh enough to approve) and
    // approves: the next poll gets the credentials, once; every later one expired_token.
    const owner = { value: null as string | null };
    await trpc(owner, 'auth.signIn', {
      email: seed.email,
      password: seed.ownerPassword,
      code: seed.totpCode(),
    });
    const approved = await started('Mail App');
    await trpc(owner, 'connectRequests.approve', {
      userCode: approved.user_code,
      label: 'Mail App',
      scopes: ['mail'],
    });
    const collected = await poll(approved.device_code);
    expect(collected.response.status).toBe(200);
    expect(collected.body).toMatchObject({ username: seed.email, scopes: ['mail'] });
    await conforms('/connect/requests/poll', 'post', collected.response);
    const again = await poll(approved.device_code);
    expect(again.body).toMatchObject({ error: 'expired_token' });
    await conforms('/connect/requests/poll', 'post', again.response);

    const refused = await started('Unwanted App');
    await trpc(owner, 'connectRequests.deny', { userCode: refused.user_code });
    const denied = await poll(refused.device_code);
    expect(denied.body).toMatchObject({ error: 'access_denied' });
    await conforms('/connect/requests/poll', 'post', denied.response);
  });

  it('POST /connect/requests answers 429 with Retry-After once an address has too many waiting', async () => {
    // Each start stays pending; past the cap per address (or the address's request
    // throttle, whichever comes first) the next is refused.
    let response: Response | undefined;
    for (let i = 0; i <= MAX_PENDING_PER_ADDRESS; i++) {
      response = await connect('/connect/requests', { client_name: `Crowd ${i}` });
      if (response.status !== 200) break;
      await response.body?.cancel();
    }
    expect(response!.status).toBe(429);
    expect(Number(response!.headers.get('retry-after'))).toBeGreaterThan(0);
    await conforms('/connect/requests', 'post', response!);
  });

  it('every documented response was checked, but for 503 (the database down)', () => {
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).flatMap(([method, operation]) =>
        Object.keys(operation.responses).map((status) => `${method} ${path} ${status}`),
      ),
    );
    expect(documented.filter((entry) => !checked.has(entry) && !entry.endsWith(' 503'))).toEqual(
      [],
    );
  });
});
