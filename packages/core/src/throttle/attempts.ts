import { throttles, type DbOrTx } from '@sidekey/db';
import { sql } from 'drizzle-orm';
import { SidekeyError } from '../errors.ts';
import type { Attempt } from './throttle.ts';

/**
 * Runs the expensive check of a reserved attempt. When the node refuses the work (its
 * hashing queue is full, so nothing was checked) the reservation is given back: being
 * turned away for load is not a failed guess.
 */
export async function releasedIfBusy<T>(attempt: Attempt, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (error instanceof SidekeyError && error.reason === 'busy') await attempt.release();
    throw error;
  }
}

/** The key of the hourly counter of failed sign-ins for emails without an account. */
export function unknownAccountCounterKey(at: Date): string {
  return `count:sign-in-unknown-account:${at.toISOString().slice(0, 13)}`;
}

/**
 * One row per hour counts failed sign-ins for unknown emails, instead of an audit row
 * each: bounded storage however many are sent, and pruned with the idle throttles.
 */
export async function countUnknownAccountFailure(db: DbOrTx, at: Date): Promise<void> {
  await db
    .insert(throttles)
    .values({ key: unknownAccountCounterKey(at), failures: 1, lastFailureAt: at })
    .onConflictDoUpdate({
      target: throttles.key,
      set: { failures: sql`${throttles.failures} + 1`, lastFailureAt: at },
    });
}
