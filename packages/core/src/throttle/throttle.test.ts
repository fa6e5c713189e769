import { throttles } from '@sidekey/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSidekey, type TestSidekey } from '../testing.ts';
import { createThrottle, type ThrottlePolicy } from './throttle.ts';

let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey();
});
afterAll(() => t.dispose());

const policy: ThrottlePolicy = {
  freeFailures: 2,
  baseDelayMs: 1_000,
  maxDelayMs: 8_000,
  lockAfter: 10,
  lockMs: 60_000,
};
let n = 0;
const freshKey = () => `test:subject:${++n}`;
const throttle = () => createThrottle(t.sidekey.deps, policy);

describe('throttle', () => {
  it('forgives the first failures, then doubles the delay up to the ceiling', () => {
    const th = throttle();
    expect([1, 2, 3, 4, 5, 6, 7, 9].map((f) => th.delayAfter(f))).toEqual([
      0, 0, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000,
    ]);
    expect(th.delayAfter(10)).toBe(60_000);
  });

  it('refuses at once while blocked, with the seconds to wait, and allows again after', async () => {
    const th = throttle();
    const key = freshKey();
    for (let i = 0; i < 3; i++) await th.recordFailure(key, { secret: `guess ${i}` });
    await expect(th.assertAllowed([key])).rejects.toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      reason: 'throttled',
      retryAfterSeconds: 1,
      message: 'Too many failed attempts. Try again in 1 second.',
    });
    t.clock.advance(1_000);
    await expect(th.assertAllowed([key])).resolves.toBeUndefined();
  });

  it('counts the same wrong secret repeated once, so a stale password cannot lock anyone out', async () => {
    const th = throttle();
    const key = freshKey();
    for (let i = 0; i < 20; i++) {
      const outcome = await th.recordFailure(key, { secret: 'the old password' });
      expect(outcome.counted).toBe(i === 0);
    }
    expect(await th.state(key)).toMatchObject({ failures: 1, locked: false });
    // The stored fingerprint is keyed: it is not the secret nor its plain hash.
    const rows = await t.database.db.select().from(throttles);
    expect(JSON.stringify(rows)).not.toContain('the old password');
  });

  it('locks after the threshold, tells the caller once, and a success resets everything', async () => {
    const th = throttle();
    const key = freshKey();
    const lockedNow: boolean[] = [];
    for (let i = 0; i < 12; i++) {
      lockedNow.push((await th.recordFailure(key, { secret: `guess ${i}` })).lockedNow);
      t.clock.advance(8_000);
    }
    expect(lockedNow.indexOf(true)).toBe(9);
    expect(lockedNow.filter(Boolean)).toHaveLength(1);
    await expect(th.assertAllowed([key], 'sign-in')).rejects.toMatchObject({
      reason: 'locked',
      message: expect.stringMatching(/sign-in is locked/),
    });
    await th.recordSuccess(key);
    expect(await th.state(key)).toBeNull();
    await expect(th.assertAllowed([key])).resolves.toBeUndefined();
  });

  it('forgets old failures when the policy says so', async () => {
    const th = createThrottle(t.sidekey.deps, { ...policy, forgetAfterMs: 60_000 });
    const key = freshKey();
    for (let i = 0; i < 3; i++) await th.recordFailure(key, { secret: `x${i}` });
    t.clock.advance(61_000);
    expect(await th.recordFailure(key, { secret: 'later' })).toMatchObject({ failures: 1 });
  });

  it('counts every one of many concurrent failures (one row, locked per key)', async () => {
    const th = createThrottle(t.sidekey.deps, { ...policy, lockAfter: undefined });
    const key = freshKey();
    await Promise.all(
      Array.from({ length: 15 }, (_, i) => th.recordFailure(key, { secret: `p${i}` })),
    );
    expect(await th.state(key)).toMatchObject({ failures: 15 });
  });
});
