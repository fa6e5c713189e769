import { auditEvents, passwordResetTokens, sessions, throttles } from '@sidekey/db';
import { eq, lt } from 'drizzle-orm';
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

    expect(await t.sidekey.prune()).toEqual({
      sessions: 2,
      resetTokens: 2,
      throttles: 1,
      auditEvents: 0,
      connectLinks: 0,
      connectRequests: 0,
      // This owner has no app password, so no lifecycle step waits in the tally.
      lifecycleSteps: 0,
    });

    // The owner's own live session, the live reset token and the throttles that still count remain.
    expect(await t.sidekey.sessions.validate(owner.sessionToken)).not.toBeNull();
    expect((await db.select().from(passwordResetTokens)).map((row) => row.id)).toEqual(['live']);
    expect((await db.select().from(throttles)).map((row) => row.key).sort()).toEqual([
      'idle-but-still-blocked',
      'recent',
    ]);
    expect(await t.sidekey.prune()).toEqual({
      sessions: 0,
      resetTokens: 0,
      throttles: 0,
      auditEvents: 0,
      connectLinks: 0,
      connectRequests: 0,
      // This owner has no app password, so no lifecycle step waits in the tally.
      lifecycleSteps: 0,
    });
  });
});

describe('audit retention', () => {
  it('prunes events past the retention, keeps those of live credentials, and audits the prune', async () => {
    const { db } = t.database;
    const owner = await signUpOwner(t.sidekey);
    const meta = { actor: 'owner' as const };
    const live = await t.sidekey.appPasswords.generate(owner.accountId, { label: 'Live' }, meta);
    const gone = await t.sidekey.appPasswords.generate(owner.accountId, { label: 'Gone' }, meta);
    await t.sidekey.appPasswords.revoke(owner.accountId, gone.id, meta);
    const old = new Date(t.clock.now.getTime() - 401 * DAY);
    await db.insert(auditEvents).values([
      { at: old, actor: 'anonymous', action: 'sign_in_failed', accountId: owner.accountId },
      { at: old, actor: 'owner', action: 'GENERATE', credentialId: live.id },
      { at: old, actor: 'owner', action: 'GENERATE', credentialId: gone.id },
    ]);
    const before = await db.$count(auditEvents);
    const report = await t.sidekey.prune();
    expect(report.auditEvents).toBe(2);
    expect(await db.$count(auditEvents)).toBe(before - 2 + 1);
    const kept = await db
      .select()
      .from(auditEvents)
      .where(lt(auditEvents.at, new Date(t.clock.now.getTime() - 400 * DAY)));
    expect(kept.map((e) => e.credentialId)).toEqual([live.id]);
    const [pruned] = await db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, 'audit_pruned'));
    expect(pruned?.details).toMatchObject({ removed: 2, retentionDays: 400 });
    // Outside that one path the log stays append-only.
    const refused = await db
      .delete(auditEvents)
      .where(eq(auditEvents.action, 'audit_pruned'))
      .then(
        () => null,
        (error: Error) => error,
      );
    expect(String(refused?.cause ?? refused)).toMatch(/append-only/);
  });
});
