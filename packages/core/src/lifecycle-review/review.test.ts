import { auditEvents } from '@sidekey/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../audit.ts';
import { createTestSidekey, signUpOwner, type TestSidekey } from '../testing.ts';
import { lifecycleReviewService } from './review.ts';

let t: TestSidekey;
let review: ReturnType<typeof lifecycleReviewService>;
beforeAll(async () => {
  t = await createTestSidekey();
  review = lifecycleReviewService(t.sidekey.deps);
});
afterAll(() => t?.dispose());

const owner = { actor: 'owner' as const };
const imap = { service: 'imap' as const, address: '192.0.2.1' };
const wholeDay = () => ({
  from: new Date(Date.now() - 12 * 3600_000),
  to: new Date(Date.now() + 12 * 3600_000),
});

async function usedThenRevoked() {
  const account = await signUpOwner(t.sidekey);
  const generated = await t.sidekey.appPasswords.generate(
    account.accountId,
    { label: 'Laptop mail' },
    owner,
  );
  await t.sidekey.verify({ username: account.email, password: generated.password, ...imap });
  await t.sidekey.appPasswords.revoke(account.accountId, generated.id, owner);
  return { account, generated };
}

describe('one credential’s path', () => {
  it('lists the steps it took from its audit trail, each matched to a machine edge', async () => {
    const { account, generated } = await usedThenRevoked();
    const path = await review.credentialPath(account.accountId, generated.id);
    expect(path.credential).toMatchObject({
      id: generated.id,
      label: 'Laptop mail',
      state: 'revoked',
    });
    expect(path.steps.map((s) => [s.event, s.fromState, s.toState, s.edgeId, s.allowed])).toEqual([
      ['GENERATE', 'new', 'pending', 'new:GENERATE:0', true],
      ['USE', 'pending', 'active', 'pending:USE:0', true],
      ['REVOKE', 'active', 'revoked', 'active:REVOKE:0', true],
    ]);
    expect(path.steps[1]).toMatchObject({
      actor: 'service',
      service: 'imap',
      address: '192.0.2.1',
    });
    expect(path.steps[2]).toMatchObject({ actor: 'owner', reason: 'user' });
  });

  it('flags an audit step the machine would never take', async () => {
    const { account, generated } = await usedThenRevoked();
    await recordAudit(t.sidekey.deps.db, {
      actor: 'system',
      accountId: account.accountId,
      credentialId: generated.id,
      action: 'USE',
      fromState: 'revoked',
      toState: 'active',
    });
    const path = await review.credentialPath(account.accountId, generated.id);
    expect(path.steps.at(-1)).toMatchObject({
      fromState: 'revoked',
      toState: 'active',
      allowed: false,
      edgeId: null,
    });
    expect(path.steps.slice(0, -1).every((s) => s.allowed)).toBe(true);
  });

  it('answers someone else’s credential, and an unknown one, as not found', async () => {
    const { generated } = await usedThenRevoked();
    const stranger = await signUpOwner(t.sidekey);
    await expect(review.credentialPath(stranger.accountId, generated.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      review.credentialPath(stranger.accountId, '00000000-0000-4000-8000-000000000000'),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('the system review', () => {
  it('counts credentials per state and transitions per edge and reason in the period', async () => {
    const before = await review.review(wholeDay());
    await usedThenRevoked();
    const account = await signUpOwner(t.sidekey);
    await t.sidekey.appPasswords.generate(account.accountId, { label: 'Still pending' }, owner);
    const after = await review.review(wholeDay());

    const stateCount = (r: typeof after, state: string) =>
      r.states.find((s) => s.state === state)?.count ?? 0;
    expect(stateCount(after, 'pending') - stateCount(before, 'pending')).toBe(1);
    expect(stateCount(after, 'revoked') - stateCount(before, 'revoked')).toBe(1);

    const edgeCount = (r: typeof after, edgeId: string, reason: string | null = null) =>
      r.transitions.find((e) => e.edgeId === edgeId && e.reason === reason)?.count ?? 0;
    expect(edgeCount(after, 'new:GENERATE:0') - edgeCount(before, 'new:GENERATE:0')).toBe(2);
    expect(edgeCount(after, 'pending:USE:0') - edgeCount(before, 'pending:USE:0')).toBe(1);
    expect(
      edgeCount(after, 'active:REVOKE:0', 'user') - edgeCount(before, 'active:REVOKE:0', 'user'),
    ).toBe(1);
    expect(after.transitions.every((e) => e.allowed)).toBe(after.disallowed === 0);
  });

  it('leaves out what happened outside the period', async () => {
    await usedThenRevoked();
    const lastYear = await review.review({
      from: new Date(Date.now() - 400 * 86400_000),
      to: new Date(Date.now() - 100 * 86400_000),
    });
    expect(lastYear.transitions).toEqual([]);
    expect(lastYear.states).toEqual([]);
  });

  it('refuses a backwards or over-long period with a clear error', async () => {
    const now = new Date();
    await expect(review.review({ from: now, to: now })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'invalid_period',
    });
    await expect(
      review.review({ from: new Date(now.getTime() - 400 * 86400_000), to: now }),
    ).rejects.toMatchObject({ reason: 'invalid_period' });
  });

  it('counts only lifecycle steps, not other audit events', async () => {
    const before = await review.review(wholeDay());
    await t.sidekey.deps.db
      .insert(auditEvents)
      .values({ actor: 'owner', action: 'sign_in', fromState: null, toState: null });
    expect(await review.review(wholeDay())).toMatchObject({ transitions: before.transitions });
  });
});
