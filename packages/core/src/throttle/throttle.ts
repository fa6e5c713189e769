import { throttles, type Db } from '@sidekey/db';
import { and, eq, inArray, isNull, lt, or } from 'drizzle-orm';
import { SidekeyError } from '../errors.ts';
import { keyedHash, type ServerKeys } from '../secrets/server-keys.ts';

/**
 * Consecutive-failure throttling shared by every node through the `throttles` table
 * (NIST SP 800-63B §5.2.2: at most 100 consecutive failed attempts, with growing
 * delays before that). Generic over what is throttled: a key names the subject, e.g.
 * `sign-in:account:<hash>`, `sign-in:address:<ip>`, `verify:credential:<id>`.
 *
 * Nothing here sleeps: a blocked subject is refused at once with the time it may try
 * again, so a flood of guesses costs the server one indexed read each.
 */
export interface ThrottlePolicy {
  /** Failures forgiven before any delay (typos happen). */
  freeFailures: number;
  /** Delay after the first failure past the free ones; doubles with each further failure. */
  baseDelayMs: number;
  /** The delay never grows past this. */
  maxDelayMs: number;
  /** After this many consecutive failures the subject is locked for `lockMs` (omit: never locks). */
  lockAfter?: number;
  lockMs?: number;
  /** A failure older than this is forgotten: the count starts again (omit: kept until a success). */
  forgetAfterMs?: number;
}

export interface ThrottleState {
  key: string;
  failures: number;
  blockedUntil: Date | null;
  /** True once `failures` reached the policy's `lockAfter`. */
  locked: boolean;
}

export interface FailureOutcome extends ThrottleState {
  /** False when the same wrong secret was repeated and so not counted again. */
  counted: boolean;
  /** True only for the failure that reached `lockAfter` (tell the owner once, not on every try). */
  lockedNow: boolean;
}

export interface ThrottleDeps {
  db: Db;
  keys: ServerKeys;
  now: () => Date;
}

export function createThrottle(deps: ThrottleDeps, policy: ThrottlePolicy) {
  const { db, now } = deps;

  function delayAfter(failures: number): number {
    if (policy.lockAfter !== undefined && failures >= policy.lockAfter) return policy.lockMs ?? 0;
    const excess = failures - policy.freeFailures;
    if (excess <= 0) return 0;
    return Math.min(policy.baseDelayMs * 2 ** Math.min(excess - 1, 30), policy.maxDelayMs);
  }

  function stateOf(row: typeof throttles.$inferSelect): ThrottleState {
    return {
      key: row.key,
      failures: row.failures,
      blockedUntil: row.blockedUntil,
      locked: policy.lockAfter !== undefined && row.failures >= policy.lockAfter,
    };
  }

  /** The first of `keys` that is blocked right now, or null when every one may try. */
  async function blocked(
    keys: string[],
  ): Promise<(ThrottleState & { retryAfterMs: number }) | null> {
    if (keys.length === 0) return null;
    const at = now();
    const rows = await db.select().from(throttles).where(inArray(throttles.key, keys));
    let worst: (ThrottleState & { retryAfterMs: number }) | null = null;
    for (const row of rows) {
      if (!row.blockedUntil || row.blockedUntil <= at) continue;
      const retryAfterMs = row.blockedUntil.getTime() - at.getTime();
      if (!worst || retryAfterMs > worst.retryAfterMs) worst = { ...stateOf(row), retryAfterMs };
    }
    return worst;
  }

  /**
   * Throws TOO_MANY_REQUESTS (reason `locked` or `throttled`, with `retryAfterSeconds`)
   * when any key is blocked; check before the expensive or revealing work.
   */
  async function assertAllowed(keys: string[], what = 'sign-in'): Promise<void> {
    const block = await blocked(keys);
    if (!block) return;
    const retryAfterSeconds = Math.max(1, Math.ceil(block.retryAfterMs / 1000));
    const wait = describeWait(retryAfterSeconds);
    throw block.locked
      ? new SidekeyError(
          'TOO_MANY_REQUESTS',
          `Too many failed attempts: ${what} is locked. Try again in ${wait}, or reset your password.`,
          'locked',
          retryAfterSeconds,
        )
      : new SidekeyError(
          'TOO_MANY_REQUESTS',
          `Too many failed attempts. Try again in ${wait}.`,
          'throttled',
          retryAfterSeconds,
        );
  }

  /** A keyed fingerprint of a wrong secret: lets a repeat be recognised without storing it. */
  function fingerprint(key: string, secret: string): string {
    return keyedHash(deps.keys.current, 'throttle-fingerprint', `${key}\0${secret}`);
  }

  /**
   * Counts one failure for `key`. With `secret`, the same wrong secret sent again (an app
   * still holding a revoked password, a user retyping the same typo) counts once, so it
   * cannot lock the owner out. Serialised per key by a row lock, so concurrent failures
   * on several nodes all count.
   */
  async function recordFailure(
    key: string,
    options: { secret?: string } = {},
  ): Promise<FailureOutcome> {
    const at = now();
    const print = options.secret === undefined ? null : fingerprint(key, options.secret);
    return db.transaction(async (tx) => {
      await tx.insert(throttles).values({ key, failures: 0 }).onConflictDoNothing();
      const [row] = await tx.select().from(throttles).where(eq(throttles.key, key)).for('update');
      const forgotten =
        policy.forgetAfterMs !== undefined &&
        row!.lastFailureAt !== null &&
        at.getTime() - row!.lastFailureAt.getTime() > policy.forgetAfterMs;
      const previous = forgotten ? 0 : row!.failures;
      const repeated = !forgotten && print !== null && row!.lastSecretFingerprint === print;
      const failures = repeated ? previous : previous + 1;
      const delay = delayAfter(failures);
      const blockedUntil = repeated
        ? row!.blockedUntil
        : delay > 0
          ? new Date(at.getTime() + delay)
          : null;
      const [updated] = await tx
        .update(throttles)
        .set({ failures, lastFailureAt: at, blockedUntil, lastSecretFingerprint: print })
        .where(eq(throttles.key, key))
        .returning();
      const state = stateOf(updated!);
      const wasLocked = policy.lockAfter !== undefined && previous >= policy.lockAfter;
      return { ...state, counted: !repeated, lockedNow: state.locked && !wasLocked };
    });
  }

  /** A success resets the count (NIST SP 800-63B §5.2.2). */
  async function recordSuccess(key: string): Promise<void> {
    await db.delete(throttles).where(eq(throttles.key, key));
  }

  /** The current state of a key (tests, admin views). */
  async function state(key: string): Promise<ThrottleState | null> {
    const [row] = await db.select().from(throttles).where(eq(throttles.key, key));
    return row ? stateOf(row) : null;
  }

  /** Drops rows whose last failure is older than `olderThanMs` and that block nothing. */
  async function prune(olderThanMs: number): Promise<number> {
    const at = now();
    const cutoff = new Date(at.getTime() - olderThanMs);
    const removed = await db
      .delete(throttles)
      .where(
        and(
          lt(throttles.lastFailureAt, cutoff),
          or(isNull(throttles.blockedUntil), lt(throttles.blockedUntil, at)),
        ),
      )
      .returning({ key: throttles.key });
    return removed.length;
  }

  return {
    blocked,
    assertAllowed,
    fingerprint,
    recordFailure,
    recordSuccess,
    state,
    prune,
    delayAfter,
  };
}

export type Throttle = ReturnType<typeof createThrottle>;

function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
