import { generateAppPassword } from '@sidekey/core';
import { signUpOwner } from '@sidekey/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededStore, type SeededStore } from './seeded.ts';
import { startSidekey, type RunningSidekey } from './start.ts';

// The protocol adapters as nginx and Dovecot call them: the real server, over real HTTP.
let store: SeededStore;
let app: RunningSidekey;
const seed = {
  email: '',
  accountId: '',
  password: '', // mail, contacts, calendars
  contactsOnly: '',
  revoked: '',
  serviceKey: '',
  revokedServiceKey: '',
  calendarServiceKey: '',
  credentialId: '',
};

beforeAll(async () => {
  store = await seededStore();
  const { sidekey, database } = await store.open();
  const owner = await signUpOwner(sidekey);
  const meta = { actor: 'owner' as const };
  const mail = await sidekey.appPasswords.generate(owner.accountId, { label: 'Phone' }, meta);
  const contacts = await sidekey.appPasswords.generate(
    owner.accountId,
    { label: 'Contacts', scopes: ['contacts'] },
    meta,
  );
  const gone = await sidekey.appPasswords.generate(owner.accountId, { label: 'Old' }, meta);
  await sidekey.appPasswords.revoke(owner.accountId, gone.id, meta);
  const service = await sidekey.serviceKeys.create('web-test', { actor: 'operator' });
  const revokedService = await sidekey.serviceKeys.create('old-service', { actor: 'operator' });
  await sidekey.serviceKeys.revoke('old-service', { actor: 'operator' });
  const calendarService = await sidekey.serviceKeys.create('radicale', { actor: 'operator' }, [
    'caldav',
  ]);
  Object.assign(seed, {
    email: owner.email,
    accountId: owner.accountId,
    password: mail.password,
    credentialId: mail.id,
    contactsOnly: contacts.password,
    revoked: gone.password,
    serviceKey: service.key,
    revokedServiceKey: revokedService.key,
    calendarServiceKey: calendarService.key,
  });
  await database.close();
  app = await startSidekey(store.env);
});
afterAll(async () => {
  await app?.stop();
  await store?.dispose();
});

function verify(body: unknown, serviceKey: string | null = seed.serviceKey, raw?: string) {
  return fetch(new URL('/auth/verify', app.url), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(serviceKey ? { authorization: `Bearer ${serviceKey}` } : {}),
    },
    body: raw ?? JSON.stringify(body),
  });
}

function basic(user: string, password: string, headers: Record<string, string> = {}) {
  return fetch(new URL('/auth/basic', app.url), {
    headers: {
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
      'x-sidekey-service': 'imap',
      'x-sidekey-service-key': seed.serviceKey,
      'x-sidekey-client-address': '203.0.113.7',
      ...headers,
    },
  });
}

describe('POST /auth/verify', () => {
  it('accepts the right app password with the account, credential and scopes', async () => {
    const response = await verify({
      username: seed.email,
      password: seed.password,
      service: 'imap',
      remoteAddress: '203.0.113.7',
      userAgent: 'Dovecot/2.3',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({
      ok: true,
      accountId: seed.accountId,
      credentialId: seed.credentialId,
      username: seed.email,
      scopes: ['mail', 'contacts', 'calendars'],
    });
  });

  it('refuses with a reason: invalid, revoked, scope_denied — unknown user and wrong password alike', async () => {
    const cases = [
      [
        {
          username: seed.email,
          password: seed.password.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')),
        },
        'invalid',
      ],
      [{ username: 'nobody@example.org', password: seed.password }, 'invalid'],
      [{ username: seed.email, password: 'hunter2' }, 'invalid'],
      [{ username: seed.email, password: seed.revoked }, 'revoked'],
      [{ username: seed.email, password: seed.contactsOnly }, 'scope_denied'],
    ] as const;
    for (const [credentials, reason] of cases) {
      const response = await verify({ ...credentials, service: 'smtp' });
      expect(response.status, reason).toBe(401);
      expect(await response.json()).toEqual({ ok: false, reason });
    }
  });

  it('refuses a key made for other protocols with 403 service_not_allowed', async () => {
    const response = await verify(
      { username: seed.email, password: seed.password, service: 'imap' },
      seed.calendarServiceKey,
    );
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ ok: false, reason: 'service_not_allowed' });
  });

  it('refuses a missing, unknown or revoked service key before looking at the password', async () => {
    for (const key of [null, 'sksvc_' + 'A'.repeat(43), seed.revokedServiceKey, 'garbage']) {
      const response = await verify(
        { username: seed.email, password: seed.password, service: 'imap' },
        key,
      );
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ ok: false, reason: 'service_unauthorized' });
    }
  });

  it('answers malformed requests with 400 bad_request (JSON), never a 500', async () => {
    const bodies = [
      '{"username":',
      'null',
      '[]',
      '"text"',
      JSON.stringify({ username: seed.email, password: seed.password }),
      JSON.stringify({ username: seed.email, password: seed.password, service: 'ftp' }),
      JSON.stringify({ username: 42, password: seed.password, service: 'imap' }),
      JSON.stringify({ username: seed.email, password: ['x'], service: 'imap' }),
      JSON.stringify({
        username: seed.email,
        password: seed.password,
        service: 'imap',
        remoteAddress: 'not an ip',
      }),
      JSON.stringify({
        username: seed.email,
        password: seed.password,
        service: 'imap',
        userAgent: {},
      }),
      '',
    ];
    for (const raw of bodies) {
      const response = await verify(undefined, seed.serviceKey, raw);
      expect(response.status, raw).toBe(400);
      const body = (await response.json()) as { ok: boolean; reason: string; message: string };
      expect(body).toMatchObject({ ok: false, reason: 'bad_request' });
      expect(body.message).not.toContain(seed.password);
    }
  });

  it('refuses an oversized body with 413 and a wrong method with 405', async () => {
    const huge = await verify(
      undefined,
      seed.serviceKey,
      JSON.stringify({ pad: 'x'.repeat(20_000) }),
    );
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ ok: false, reason: 'bad_request' });
    const get = await fetch(new URL('/auth/verify', app.url));
    expect(get.status).toBe(405);
  });

  it('a password far too long is just invalid (the user typed it), not a server error', async () => {
    const response = await verify({
      username: seed.email,
      password: 'x'.repeat(4000),
      service: 'imap',
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('GET /auth/basic (nginx auth_request)', () => {
  it('204 with the account headers nginx can pass on', async () => {
    const response = await basic(seed.email, seed.password);
    expect(response.status).toBe(204);
    expect(response.headers.get('x-sidekey-account')).toBe(seed.email);
    expect(response.headers.get('x-sidekey-account-id')).toBe(seed.accountId);
  });

  it('401 with WWW-Authenticate for wrong, revoked, out-of-scope, missing and garbage credentials', async () => {
    const denied = [
      await basic(seed.email, 'skap-wrong'),
      await basic('nobody@example.org', seed.password),
      await basic(seed.email, seed.revoked),
      await basic(seed.email, seed.contactsOnly),
      await fetch(new URL('/auth/basic', app.url), {
        headers: { 'x-sidekey-service': 'imap', 'x-sidekey-service-key': seed.serviceKey },
      }),
      await fetch(new URL('/auth/basic', app.url), {
        headers: {
          authorization: 'Basic !!!not-base64',
          'x-sidekey-service': 'imap',
          'x-sidekey-service-key': seed.serviceKey,
        },
      }),
    ];
    for (const response of denied) {
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="Sidekey"/);
    }
    expect(denied.map((r) => r.headers.get('x-sidekey-reason'))).toEqual([
      'invalid',
      'invalid',
      'revoked',
      'scope_denied',
      'invalid',
      'invalid',
    ]);
  });

  it('a missing, bad or out-of-bounds service key is the operator’s error: 400 (nginx shows 500), no password prompt, logged', async () => {
    const bogus = `sksvc_${'B'.repeat(43)}`;
    const answers = [
      await basic(seed.email, seed.password, { 'x-sidekey-service-key': seed.revokedServiceKey }),
      await basic(seed.email, seed.password, { 'x-sidekey-service-key': bogus }),
      await basic(seed.email, seed.password, { 'x-sidekey-service-key': '' }),
      await basic(seed.email, seed.password, { 'x-sidekey-service-key': seed.calendarServiceKey }),
    ];
    for (const response of answers) {
      expect(response.status).toBe(400);
      expect(response.headers.get('www-authenticate')).toBeNull();
    }
    expect(answers.map((r) => r.headers.get('x-sidekey-reason'))).toEqual([
      'service_unauthorized',
      'service_unauthorized',
      'service_unauthorized',
      'service_not_allowed',
    ]);
    await expect.poll(() => app.output()).toMatch(/service key refused/);
    expect(app.output()).toMatch(/service key not allowed this protocol/);
    expect(app.output()).not.toContain(bogus);
    expect(app.output()).not.toContain(seed.revokedServiceKey);
  });

  it('honours the service nginx names: the contacts-only password works for carddav', async () => {
    expect(
      (await basic(seed.email, seed.contactsOnly, { 'x-sidekey-service': 'carddav' })).status,
    ).toBe(204);
  });

  it('a misconfigured nginx (no or unknown service, bad address) gets 400, not a 500', async () => {
    for (const headers of [
      { 'x-sidekey-service': '' } as Record<string, string>,
      { 'x-sidekey-service': 'gopher' },
      { 'x-sidekey-client-address': 'example.org' },
    ]) {
      expect((await basic(seed.email, seed.password, headers)).status).toBe(400);
    }
  });
});

describe('throttling over HTTP', () => {
  it('after too many different wrong passwords: 401 throttled with Retry-After on both endpoints', async () => {
    const username = `guessed-${Date.now()}@example.org`; // unknown: throttled all the same
    const address = '198.51.100.99';
    let last: Response | undefined;
    for (let i = 0; i < 12; i++) {
      last = await verify({
        username,
        password: generateAppPassword().display,
        service: 'imap',
        remoteAddress: address,
      });
    }
    expect(last!.status).toBe(401);
    expect(last!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await last!.json()).toEqual({
      ok: false,
      reason: 'throttled',
      retryAfterSeconds: Number(last!.headers.get('retry-after')),
    });
    const basicAnswer = await basic(username, generateAppPassword().display, {
      'x-sidekey-client-address': address,
    });
    expect(basicAnswer.status).toBe(401);
    expect(basicAnswer.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(basicAnswer.headers.get('x-sidekey-reason')).toBe('throttled');
    expect(basicAnswer.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('served without SvelteKit', () => {
  it('carries none of the page headers SvelteKit adds, and unknown paths still reach SvelteKit', async () => {
    const response = await basic(seed.email, seed.password);
    expect(response.headers.get('x-sveltekit-page')).toBeNull();
    expect(response.headers.get('content-security-policy')).toBeNull();
    expect((await fetch(new URL('/auth/verify/extra', app.url))).status).toBe(404);
  });

  it('never logs a secret', () => {
    expect(app.output()).not.toContain(seed.password);
    expect(app.output()).not.toContain(seed.serviceKey);
  });
});
