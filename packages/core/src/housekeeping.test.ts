import { passwordResetTokens, sessions, throttles } from '@sidekey/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THROTTLE_RETENTION_MS } from './housekeeping.ts';
import { createTestSidekey, signUpOwner, type TestSidekey } from './testing.ts';

let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey();
});
afterAll(() => t.dispose());

const DAY = 24 * 60 * 60 * 1000;

describe('pruneExpired', () => {
  it('removes only what can never be used again', async () => {
    const { db } = t.database;
    const owner = await signUpOwner(t.sidekey, undefined, { twoFactor: false });
    const at = t.clock.now;
    await db.insert(sessions).values([
      {
        id: 'idle-expired',
        accountId: owner.accountId,
        expiresAt: new Date(at.getTime() - 1),
        absoluteExpiresAt: new Date(at.getTime() + DAY),
      },
      {
        id: 'past-absolute',
        accountId: owner.accountId,
        expiresAt: new Date(at.getTime() + DAY),
        absoluteExpiresAt: new Date(at.getTime() - 1),
      },
    ]);
    await db.insert(passwordResetTokens).values([
      { id: 'expired', accountId: owner.accountId, expiresAt: new Date(at.getTime() - 1) },
      {
        id: 'used',
        accountId: owner.accountId,
        expiresAt: new Date(at.getTime() + DAY),
        usedAt: at,
      },
      { id: 'live', accountId: owner.accountId, expiresAt: new Date(at.getTime() + DAY) },
    ]);
    const longAgo = new Date(at.getTime() - THROTTLE_RETENTION_MS - 1);
    await db.insert(throttles).values([
      { key: 'idle', failures: 3, lastFailureAt: longAgo },
      {
        key: 'idle-but-still-blocked',
        failures: 100,
        lastFailureAt: longAgo,
        blockedUntil: new Date(at.getTime() + DAY),
      },
      { key: 'recent', failures: 3, lastFailureAt: new Date(at.getTime() - DAY) },
    ]);

    expect(await t.sidekey.prune()).toEqual({ sessions: 2, resetTokens: 2, throttles: 1 });

    // The owner's own live session, the live reset token and the throttles that still count remain.
    expect(await t.sidekey.sessions.validate(owner.sessionToken)).not.toBeNull();
    expect((await db.select().from(passwordResetTokens)).map((row) => row.id)).toEqual(['live']);
    expect((await db.select().from(throttles)).map((row) => row.key).sort()).toEqual([
      'idle-but-still-blocked',
      'recent',
    ]);
    expect(await t.sidekey.prune()).toEqual({ sessions: 0, resetTokens: 0, throttles: 0 });
  });
});
