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
const seed = { email: '', password: '', serviceKey: '', calendarKey: '' };
const checked = new Set<string>();

interface OpenApiResponse {
  description: string;
  headers?: Record<string, { schema?: object }>;
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
    if (name === 'Retry-After') continue; // only with throttled
    const value = response.headers.get(name);
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
