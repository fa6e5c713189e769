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
