import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSidekey, signUpOwner, type TestSidekey } from '../testing.ts';
import { LAST_SEEN_RESOLUTION_MS, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from './sessions.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey();
});
afterAll(() => t.dispose());

async function freshSession() {
  const owner = await signUpOwner(t.sidekey, undefined, { twoFactor: false });
  return owner.sessionToken;
}

describe('web sessions (injected clock)', () => {
  it('ends after 14 days without use', async () => {
    const token = await freshSession();
    t.clock.advance(SESSION_IDLE_MS - MINUTE);
    expect(await t.sidekey.sessions.validate(token)).not.toBeNull();
    // That use slid the expiry: another 14 days less a minute is still fine...
    t.clock.advance(SESSION_IDLE_MS - MINUTE);
    expect(await t.sidekey.sessions.validate(token)).not.toBeNull();
    // ...but 14 days of silence is the end.
    t.clock.advance(SESSION_IDLE_MS);
    expect(await t.sidekey.sessions.validate(token)).toBeNull();
  });

  it('ends after 30 days however active', async () => {
    const token = await freshSession();
    for (let day = 1; day < 30; day++) {
      t.clock.advance(DAY);
      const validated = await t.sidekey.sessions.validate(token);
      expect(validated, `day ${day}`).not.toBeNull();
      // The idle expiry never reaches past the absolute one.
      expect(validated!.session.expiresAt.getTime()).toBeLessThanOrEqual(
        validated!.session.absoluteExpiresAt.getTime(),
      );
    }
    t.clock.advance(DAY);
    expect(await t.sidekey.sessions.validate(token)).toBeNull();
    expect(SESSION_ABSOLUTE_MS).toBe(30 * DAY);
  });

  it('slides the expiry and keeps "last seen" within minutes, saying when the cookie must be re-issued', async () => {
    const token = await freshSession();
    const first = await t.sidekey.sessions.validate(token);
    expect(first!.renewed).toBeFalsy(); // just made: nothing to renew

    t.clock.advance(LAST_SEEN_RESOLUTION_MS / 2);
    const soon = await t.sidekey.sessions.validate(token);
    expect(soon!.renewed).toBeFalsy(); // no write on every request

    t.clock.advance(LAST_SEEN_RESOLUTION_MS);
    const later = await t.sidekey.sessions.validate(token);
    expect(later!.renewed).toBe(true);
    expect(later!.session.lastSeenAt).toEqual(t.clock.now);
    expect(later!.session.expiresAt.getTime()).toBe(t.clock.now.getTime() + SESSION_IDLE_MS);

    const listed = await t.sidekey.sessions.listForAccount(later!.account.id);
    expect(listed[0]!.lastSeenAt).toEqual(t.clock.now);
  });
});
