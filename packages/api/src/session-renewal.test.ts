import { createTestSidekey, signUpOwner, type TestSidekey } from '@sidekey/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTestClient } from './testing.ts';

const DAY = 24 * 60 * 60 * 1000;
let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey();
});
afterAll(() => t.dispose());

/** The cookie's Expires attribute, as a browser would keep it. */
const expiresOf = (setCookie: string) => new Date(/Expires=([^;]+)/.exec(setCookie)![1]!);

describe('the session cookie follows the sliding expiry', () => {
  it('is re-issued with the new expiry when the session slides, so an active owner stays signed in past 14 days', async () => {
    // Sign-up opens no session over HTTP (the mailed link does): make the account, sign in.
    const owner = await signUpOwner(t.sidekey, 'renewal@example.org', { twoFactor: false });
    const browser = createHttpTestClient(t.sidekey);
    const signIn = await browser.raw(
      'auth.signIn',
      JSON.stringify({
        json: { email: owner.email, password: owner.password },
      }),
    );
    const firstExpiry = expiresOf(signIn.headers.get('set-cookie')!);

    // Used every day for 20 days: the browser must always hold a cookie that has not expired.
    for (let day = 1; day <= 20; day++) {
      t.clock.advance(DAY);
      const session = await browser.raw('auth.session', undefined, 'GET');
      expect(session.status, `day ${day}`).toBe(200);
      expect(JSON.stringify(session.json), `day ${day}`).toContain('renewal@example.org');
      const renewed = session.headers.get('set-cookie');
      expect(renewed, `day ${day}: the cookie is sent again`).toMatch(
        /^sidekey_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Expires=/,
      );
      expect(expiresOf(renewed!).getTime()).toBeGreaterThan(firstExpiry.getTime());
    }
    // A request moments later writes nothing and re-issues nothing.
    t.clock.advance(1000);
    const again = await browser.raw('auth.session', undefined, 'GET');
    expect(again.headers.get('set-cookie')).toBeNull();
  });
});
