import { lifecycleReviewService } from '@sidekey/core';
import { Bench } from 'tinybench';
import { rowsOf, type Row } from '../report.ts';
import type { Fixture } from './fixture.ts';

const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * What an owner and an admin do, through core as the API calls it, on one fixture:
 * sign-in (argon2 dominates; what must not grow is the lookup around it), the owner's
 * list, the admin's review over a year, and the hourly prune (which finds nothing due in
 * a database whose oldest row is younger than the retention: what it costs is finding that).
 */
export async function measureCases(fixture: Fixture, timeMs: number): Promise<Row[]> {
  const { sidekey } = fixture;
  const review = lifecycleReviewService(sidekey.deps);
  // Few iterations: a slow case (a review at scale) must not take minutes to sample.
  const bench = new Bench({ time: timeMs, iterations: 5, warmupTime: 0, warmupIterations: 2 });
  bench
    .add('sign-in (password, argon2id)', async () => {
      const result = await sidekey.accounts.signIn(
        { email: fixture.owner.email, password: fixture.owner.password },
        { actor: 'owner', address: '127.0.0.1' },
      );
      if (result.status !== 'signed_in') throw new Error('the bench owner did not sign in');
    })
    .add("owner's list of app passwords", async () => {
      const rows = await sidekey.appPasswords.list(fixture.listAccountId);
      if (rows.length === 0) throw new Error('the listed account has no app passwords');
    })
    .add('/flows/review over a year', async () => {
      await review.review({ from: new Date(Date.now() - YEAR_MS) });
    })
    .add('prune (sessions, links, throttles, audit retention)', async () => {
      await sidekey.prune();
    });
  await bench.run();
  return rowsOf(bench);
}
