import { describe, expect, it } from 'vitest';
import { clearedSessionCookie, serializeSessionCookie, sessionCookie } from './session-cookie.ts';

const expiresAt = new Date('2030-01-02T03:04:05Z');

describe('the session cookie', () => {
  it('is HttpOnly, SameSite=Lax and site-wide; Secure exactly when the site is on https', () => {
    expect(
      serializeSessionCookie(sessionCookie(new URL('https://id.example/x'), 't', expiresAt)),
    ).toBe(
      'sidekey_session=t; Path=/; HttpOnly; SameSite=Lax; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Secure',
    );
    expect(
      serializeSessionCookie(sessionCookie(new URL('http://localhost:5173/'), 't', expiresAt)),
    ).toBe(
      'sidekey_session=t; Path=/; HttpOnly; SameSite=Lax; Expires=Wed, 02 Jan 2030 03:04:05 GMT',
    );
  });

  it('is cleared with the same attributes and no lifetime left', () => {
    expect(serializeSessionCookie(clearedSessionCookie(new URL('https://id.example/')))).toBe(
      'sidekey_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure',
    );
  });

  it('hands SvelteKit the same options the header is written from', () => {
    expect(sessionCookie(new URL('https://id.example/'), 't', expiresAt)).toEqual({
      name: 'sidekey_session',
      value: 't',
      options: { path: '/', httpOnly: true, sameSite: 'lax', secure: true, expires: expiresAt },
    });
  });
});
