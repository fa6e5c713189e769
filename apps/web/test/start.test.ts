import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailedToken, startSidekey, type RunningSidekey } from './start.ts';

// What the README promises a newcomer: `pnpm start` prints a URL serving the app and /api/trpc.
let app: RunningSidekey;
beforeAll(async () => {
  app = await startSidekey();
});
afterAll(() => app?.stop());

describe('the started server', () => {
  it('prints a URL that serves the app', async () => {
    const response = await fetch(app.url);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Sidekey');
  });

  it('serves /api/trpc: sign up, open the mailed link, then the session cookie opens the session', async () => {
    const signUp = await fetch(new URL('/api/trpc/auth.signUp', app.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        json: { email: 'newcomer@example.org', password: 'a long enough password' },
      }),
    });
    expect(signUp.status).toBe(200);
    expect(signUp.headers.get('set-cookie')).toBeNull();
    const token = await mailedToken(app, 'newcomer@example.org', '/sign-up/confirm');
    const confirmed = await fetch(new URL('/api/trpc/auth.confirmSignUp', app.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json: { token } }),
    });
    expect(confirmed.status).toBe(200);
    const cookie = confirmed.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^sidekey_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax/);
    expect(cookie).not.toContain('Secure'); // plain http here: a Secure cookie would never come back

    const session = await fetch(new URL('/api/trpc/auth.session', app.url), {
      headers: { cookie: cookie.split(';')[0]! },
    });
    const body = (await session.json()) as { result: { data: { json: { email: string } } } };
    expect(body.result.data.json.email).toBe('newcomer@example.org');
  });

  it('writes the same session cookie from /api/trpc and from a form action', async () => {
    const email = 'cookies@example.org';
    const password = 'a long enough password';
    await api('auth.signUp', { email, password });
    await api('auth.confirmSignUp', {
      token: await mailedToken(app, email, '/sign-up/confirm'),
    });
    // Opened over HTTP (the api's Set-Cookie) and by the sign-in form (SvelteKit's cookies.set).
    const overHttp = setCookie(await api('auth.signIn', { email, password }));
    const byForm = setCookie(await form('/sign-in', { email, password }));
    expect(attributes(byForm)).toEqual(attributes(overHttp));
    expect(attributes(overHttp)).toEqual([
      ['expires', 'in 14 days'],
      ['httponly', ''],
      ['path', '/'],
      ['samesite', 'Lax'],
    ]);
    // And ended both ways.
    const endedOverHttp = setCookie(await api('auth.signOut', null, overHttp));
    const endedByForm = setCookie(await form('/sign-out', {}, byForm));
    expect(attributes(endedByForm)).toEqual(attributes(endedOverHttp));
    expect(attributes(endedOverHttp)).toEqual([
      ['httponly', ''],
      ['max-age', '0'],
      ['path', '/'],
      ['samesite', 'Lax'],
    ]);
  });

  it('answers garbage with a 4xx, not a 500', async () => {
    for (const [path, init] of [
      [
        '/api/trpc/auth.signUp',
        { method: 'POST', body: '{"json":', headers: { 'content-type': 'application/json' } },
      ],
      ['/api/trpc/nothing.here', {}],
      ['/api/trpc/appPasswords.list?input=%ZZ', {}],
    ] as const) {
      const response = await fetch(new URL(path, app.url), init);
      expect(response.status, path).toBeGreaterThanOrEqual(400);
      expect(response.status, path).toBeLessThan(500);
    }
  });

  it('never logs a secret', () => {
    expect(app.output()).not.toMatch(/a long enough password|sidekey_session=/);
  });
});

/** A tRPC mutation over HTTP, as the browser client sends it. */
function api(path: string, input: unknown, cookie?: string) {
  return fetch(new URL(`/api/trpc/${path}`, app.url), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(cookie ? { cookie: nameValue(cookie) } : {}),
    },
    body: JSON.stringify({ json: input }),
  });
}

/** A form post as a browser without JavaScript sends it (same origin, or SvelteKit refuses it). */
function form(path: string, fields: Record<string, string>, cookie?: string) {
  return fetch(new URL(path, app.url), {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: new URL(app.url).origin,
      ...(cookie ? { cookie: nameValue(cookie) } : {}),
    },
    body: new URLSearchParams(fields),
  });
}

/** The one Set-Cookie a response carries, which must be the session's. */
function setCookie(response: Response): string {
  const cookies = response.headers.getSetCookie();
  expect(cookies, `${response.status} ${response.url}`).toHaveLength(1);
  expect(cookies[0]).toMatch(/^sidekey_session=/);
  return cookies[0]!;
}

const nameValue = (cookie: string) => cookie.split(';')[0]!;

/**
 * A Set-Cookie's attributes, sorted, names in lower case (their order and case carry no
 * meaning); an expiry is read as how far ahead it lies, so two cookies written a second
 * apart still compare equal.
 */
function attributes(cookie: string): Array<[string, string]> {
  return cookie
    .split(';')
    .slice(1)
    .map((part): [string, string] => {
      const [name = '', ...value] = part.trim().split('=');
      const key = name.toLowerCase();
      const text = value.join('=');
      if (key !== 'expires') return [key, text];
      const days = Math.round((new Date(text).getTime() - Date.now()) / 86_400_000);
      return [key, `in ${days} days`];
    })
    .sort(([a], [b]) => a.localeCompare(b));
}
