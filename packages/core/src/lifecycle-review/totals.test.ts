import { appPasswords, auditEvents, lifecycleEdgeTotals, lifecycleTally } from '@sidekey/db';
import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pruneAudit } from '../housekeeping.ts';
import { createTestSidekey, signUpOwner, type TestSidekey } from '../testing.ts';
import { lifecycleReviewService, type LifecycleReview } from './review.ts';
import { foldLifecycleTally, type FoldReport } from './totals.ts';

/*
 * The database's clock stamps audit rows, places the hourly fold and ages snapshots, so the
 * test clock is set from it once and every instant here is derived from that, whole days
 * away from any bound a slow machine could move a step across.
 */

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const owner = { actor: 'owner' as const };

let t: TestSidekey;
let review: ReturnType<typeof lifecycleReviewService>;
let base: number;
beforeEach(async () => {
  t = await createTestSidekey();
  holder = undefined;
  review = lifecycleReviewService(t.sidekey.deps);
  const [row] = await t.sidekey.deps.db
    .select({ ms: sql`extract(epoch from now()) * 1000`.mapWith(Number) })
    .from(sql`(SELECT 1) AS one`);
  t.clock.now = new Date(row!.ms);
  base = t.clock.now.getTime();
});
afterEach(() => t?.dispose());

/** The UTC midnight that began the day `daysAgo` days before the test's start. */
function midnight(daysAgo: number): Date {
  const day = new Date(base - daysAgo * DAY);
  day.setUTCHours(0, 0, 0, 0);
  return day;
}

const hoursAfter = (instant: Date, hours: number) => new Date(instant.getTime() + hours * HOUR);

let holder: string | undefined;
let credentials = 0;
/**
 * A credential with no audited step yet, to hang a synthetic history on (the audit log
 * refers to real ones); generating one for real would audit its GENERATE today. All of a
 * test's belong to one account, which has no limit on them when written directly.
 */
async function bareCredential(): Promise<string> {
  holder ??= (await signUpOwner(t.sidekey, undefined, { twoFactor: false })).accountId;
  const [row] = await t.sidekey.deps.db
    .insert(appPasswords)
    .values({
      accountId: holder,
      label: `History ${++credentials}`,
      scopes: ['mail'],
      lookupHash: `history-${credentials}`,
      keyId: 'k',
    })
    .returning({ id: appPasswords.id });
  return row!.id;
}

/** A credential generated for real, today. */
async function generatedToday() {
  const account = await signUpOwner(t.sidekey);
  const generated = await t.sidekey.appPasswords.generate(
    account.accountId,
    { label: 'Today' },
    owner,
  );
  return { accountId: account.accountId, id: generated.id };
}

type Step = [event: string, fromState: string, toState: string, reason?: string];
const generate: Step = ['GENERATE', 'new', 'pending'];
const firstUse: Step = ['USE', 'pending', 'active'];
const revoke: Step = ['REVOKE', 'active', 'revoked', 'user'];

async function stepAt(credentialId: string, at: Date, [event, fromState, toState, reason]: Step) {
  await t.sidekey.deps.db.insert(auditEvents).values({
    at,
    actor: 'system',
    credentialId,
    action: event,
    fromState,
    toState,
    reason: reason ?? null,
  });
}

const count = (r: LifecycleReview, event: string, reason: string | null = null) =>
  r.transitions.find((edge) => edge.event === event && edge.reason === reason)?.count ?? 0;
const inState = (r: LifecycleReview, state: string) =>
  r.states.find((row) => row.state === state)?.count ?? 0;

describe('the review’s running totals', () => {
  it('answer exactly as the unfolded tally did, for periods that start and end on folds', async () => {
    const ids = [await bareCredential(), await bareCredential(), await bareCredential()];
    for (const id of ids) await stepAt(id, hoursAfter(midnight(50), 3), generate);
    for (const id of ids.slice(0, 2)) await stepAt(id, hoursAfter(midnight(50), 5), firstUse);
    await stepAt(ids[0]!, hoursAfter(midnight(20), 1), revoke);
    await generatedToday();
    const periods = [
      { from: midnight(60), to: midnight(30) },
      { from: midnight(30), to: midnight(1) },
      { from: midnight(60), to: new Date(base + HOUR) },
      { from: midnight(21), to: new Date(base + HOUR) },
    ];
    const unfolded = await Promise.all(periods.map((period) => review.review(period)));
    expect(count(unfolded[0]!, 'GENERATE')).toBe(3);
    expect(count(unfolded[0]!, 'USE')).toBe(2);
    expect(inState(unfolded[0]!, 'active')).toBe(2);
    expect(inState(unfolded[0]!, 'pending')).toBe(1);
    expect(count(unfolded[1]!, 'GENERATE')).toBe(0);
    expect(count(unfolded[1]!, 'REVOKE', 'user')).toBe(1);
    // The credential generated for real today is in the open-ended periods.
    expect(count(unfolded[3]!, 'GENERATE')).toBe(1);

    expect(await foldLifecycleTally(t.sidekey.deps.db, { upTo: midnight(30) })).toMatchObject({
      folded: 5,
    });
    await foldLifecycleTally(t.sidekey.deps.db, { upTo: midnight(1) });
    await foldLifecycleTally(t.sidekey.deps.db);
    expect(await t.sidekey.deps.db.$count(lifecycleTally)).toBeLessThanOrEqual(1);

    const folded = await Promise.all(periods.map((period) => review.review(period)));
    expect(folded).toEqual(unfolded);
  });

  it('count a step that commits after a fold once, in the newest snapshot', async () => {
    await stepAt(await bareCredential(), hoursAfter(midnight(40), 2), generate);
    await foldLifecycleTally(t.sidekey.deps.db);
    const year = { from: midnight(300), to: new Date(base + HOUR) };
    const before = await review.review(year);

    // Stamped long before the fold that already ran, as a slow transaction's row would be.
    await stepAt(await bareCredential(), hoursAfter(midnight(40), 3), generate);
    expect(count(await review.review(year), 'GENERATE')).toBe(count(before, 'GENERATE') + 1);
    expect(await foldLifecycleTally(t.sidekey.deps.db)).toMatchObject({ folded: 1 });
    expect(count(await review.review(year), 'GENERATE')).toBe(count(before, 'GENERATE') + 1);
    expect(await foldLifecycleTally(t.sidekey.deps.db)).toMatchObject({ folded: 0 });
    expect(count(await review.review(year), 'GENERATE')).toBe(count(before, 'GENERATE') + 1);
  });

  it('count every step once when folds on several nodes run at once, while steps are written', async () => {
    await generatedToday();
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(await bareCredential());
    const writes = ids.map((id, i) => stepAt(id, hoursAfter(midnight(10), i % 20), generate));
    const folds = Array.from({ length: 6 }, (_, i) =>
      foldLifecycleTally(t.sidekey.deps.db, { upTo: hoursAfter(midnight(10), 4 * i) }),
    );
    const reports = (await Promise.all([...folds, ...writes])).slice(0, 6) as FoldReport[];
    reports.push(await foldLifecycleTally(t.sidekey.deps.db));
    // Each synthetic step was folded by exactly one of them; today's stays in the tally.
    expect(reports.reduce((n, report) => n + report.folded, 0)).toBe(40);

    const year = await review.review({ from: midnight(300), to: new Date(base + HOUR) });
    // 40 synthetic steps, plus the real credential's own generation today.
    expect(count(year, 'GENERATE')).toBe(41);
    expect(inState(year, 'pending')).toBe(41);
  });

  it('keep their counts when the audit rows they came from are pruned', async () => {
    const gone = await bareCredential();
    await stepAt(gone, hoursAfter(midnight(40), 1), generate);
    await stepAt(gone, hoursAfter(midnight(40), 2), firstUse);
    await stepAt(gone, hoursAfter(midnight(40), 3), revoke);
    await t.sidekey.deps.db
      .update(appPasswords)
      .set({ state: 'revoked', revokedAt: hoursAfter(midnight(40), 3), revokeReason: 'user' })
      .where(eq(appPasswords.id, gone));
    const period = { from: midnight(60), to: new Date(base + HOUR) };
    const before = await review.review(period);
    expect(count(before, 'GENERATE')).toBe(1);
    expect(inState(before, 'revoked')).toBe(1);

    await foldLifecycleTally(t.sidekey.deps.db);
    expect(await pruneAudit(t.sidekey.deps, 30)).toBe(3);
    expect(await review.review(period)).toEqual(before);
  });

  it('count a credential in the state it really reached, even after a step the machine would not take', async () => {
    const tampered = await bareCredential();
    await stepAt(tampered, hoursAfter(midnight(5), 1), generate);
    await stepAt(tampered, hoursAfter(midnight(5), 2), ['USE', 'revoked', 'active']);
    const period = { from: midnight(6), to: midnight(4) };
    for (const fold of [false, true]) {
      if (fold) await foldLifecycleTally(t.sidekey.deps.db, { upTo: period.to });
      const reviewed = await review.review(period);
      expect(reviewed.states).toEqual([{ state: 'active', count: 1 }]);
      expect(reviewed.disallowed).toBe(1);
    }
  });

  it('thin to the last snapshot of each day once they are over a month old', async () => {
    const id = await bareCredential();
    const day = midnight(45);
    for (let hour = 1; hour <= 3; hour++) {
      await stepAt(id, hoursAfter(day, hour), generate);
      await foldLifecycleTally(t.sidekey.deps.db, { upTo: hoursAfter(day, hour + 0.5) });
    }
    const recent = midnight(3);
    for (let hour = 1; hour <= 3; hour++) {
      await stepAt(id, hoursAfter(recent, hour), generate);
      await foldLifecycleTally(t.sidekey.deps.db, { upTo: hoursAfter(recent, hour + 0.5) });
    }

    const instantsOn = async (start: Date) => {
      const rows = await t.sidekey.deps.db
        .selectDistinct({ through: lifecycleEdgeTotals.through })
        .from(lifecycleEdgeTotals)
        .where(
          sql`${lifecycleEdgeTotals.through} >= ${start.toISOString()}::timestamptz
            AND ${lifecycleEdgeTotals.through} < ${hoursAfter(start, 24).toISOString()}::timestamptz`,
        );
      return rows.map((row) => row.through.getTime());
    };
    expect(await instantsOn(day)).toEqual([hoursAfter(day, 3.5).getTime()]);
    expect((await instantsOn(recent)).length).toBe(3);

    const oldDay = await review.review({ from: midnight(46), to: midnight(44) });
    expect(count(oldDay, 'GENERATE')).toBe(3);
    // Within the last month a period can still start on the hour.
    const lastHours = await review.review({
      from: hoursAfter(recent, 1.5),
      to: hoursAfter(recent, 3.5),
    });
    expect(count(lastHours, 'GENERATE')).toBe(2);
  });
});
