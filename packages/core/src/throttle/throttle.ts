import { throttles, type Db, type DbOrTx } from '@sidekey/db';
import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
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
 *
 * Attempts are reserved, not checked-then-recorded: `reserve` counts the attempt as a
 * failure in one locked row update *before* the expensive check (argon2id, TOTP) runs,
 * and refuses when that count is blocked. So any number of concurrent or batched
 * attempts evaluates at most what the policy lets through one after another; the rest
 * are refused without being checked. A success then clears (or, where the policy says
 * a success clears nothing, gives back) the reservation; a failure keeps it. An attempt
 * that never reports back (a crashed node) stays counted as a failure.
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
  /**
   * Whether a success clears the count (default true). Per-address throttles say false:
   * an attacker could otherwise reset their address's count with an account of their own.
   */
  successClears?: boolean;
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

type ThrottleRow = typeof throttles.$inferSelect;

/**
 * Locks the row of `key` for the rest of the transaction, creating it when missing, and
 * returns it as committed. One statement (INSERT … ON CONFLICT DO UPDATE … RETURNING):
 * a concurrent success deleting the row cannot slip in between an insert and a read.
 */
async function lockRow(tx: DbOrTx, key: string): Promise<ThrottleRow> {
  const [row] = await tx
    .insert(throttles)
    .values({ key, failures: 0 })
    .onConflictDoUpdate({ target: throttles.key, set: { failures: sql`${throttles.failures}` } })
    .returning();
  return row!;
}

export function createThrottle(deps: ThrottleDeps, policy: ThrottlePolicy) {
  const { db, now } = deps;
  const successClears = policy.successClears ?? true;

  function delayAfter(failures: number): number {
    if (policy.lockAfter !== undefined && failures >= policy.lockAfter) return policy.lockMs ?? 0;
    const excess = failures - policy.freeFailures;
    if (excess <= 0) return 0;
    return Math.min(policy.baseDelayMs * 2 ** Math.min(excess - 1, 30), policy.maxDelayMs);
  }

  function isLocked(failures: number): boolean {
    return policy.lockAfter !== undefined && failures >= policy.lockAfter;
  }

  function stateOf(row: ThrottleRow): ThrottleState {
    return {
      key: row.key,
      failures: row.failures,
      blockedUntil: row.blockedUntil,
      locked: isLocked(row.failures),
    };
  }

  function forgotten(row: ThrottleRow, at: Date): boolean {
    return (
      policy.forgetAfterMs !== undefined &&
      row.lastFailureAt !== null &&
      at.getTime() - row.lastFailureAt.getTime() > policy.forgetAfterMs
    );
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
   * when any key is blocked. A read only: where an expensive check follows, `reserve`.
   */
  async function assertAllowed(keys: string[], what = 'sign-in'): Promise<void> {
    const block = await blocked(keys);
    if (block) throw refusal(block.locked, block.retryAfterMs, what);
  }

  /** A keyed fingerprint of a wrong secret: lets a repeat be recognised without storing it. */
  function fingerprint(key: string, secret: string): string {
    return keyedHash(deps.keys.current, 'throttle-fingerprint', `${key}\0${secret}`);
  }

  /**
   * Inside the caller's transaction: refuses when `key` is blocked, otherwise counts one
   * more failure (which a success later takes back) and blocks for the delay that count
   * earns. Returns the refusal instead of throwing, so several keys are all checked.
   */
  async function reserveIn(tx: DbOrTx, key: string, at: Date): Promise<ReserveOutcome> {
    const row = await lockRow(tx, key);
    const fresh = forgotten(row, at);
    if (!fresh && row.blockedUntil && row.blockedUntil > at) {
      return {
        ok: false,
        locked: isLocked(row.failures),
        retryAfterMs: row.blockedUntil.getTime() - at.getTime(),
      };
    }
    const failures = (fresh ? 0 : row.failures) + 1;
    const delay = delayAfter(failures);
    await tx
      .update(throttles)
      .set({
        failures,
        lastFailureAt: at,
        blockedUntil: delay > 0 ? new Date(at.getTime() + delay) : null,
        lastSecretFingerprint: fresh ? null : row.lastSecretFingerprint,
      })
      .where(eq(throttles.key, key));
    return { ok: true, failures };
  }

  /**
   * A reserved attempt failed. With `secret`, the same wrong secret as last time (an app
   * still holding a revoked password, a user retyping the same typo) is given back, so it
   * counts once and cannot lock the owner out. When a concurrent success cleared the row
   * meanwhile, the failure is counted afresh: it is never lost.
   */
  async function confirmFailureIn(
    tx: DbOrTx,
    key: string,
    at: Date,
    reservedFailures: number,
    secret: string | undefined,
  ): Promise<FailureOutcome> {
    const print = secret === undefined ? null : fingerprint(key, secret);
    const row = await lockRow(tx, key);
    const cleared = row.lastFailureAt === null;
    const repeated = !cleared && print !== null && row.lastSecretFingerprint === print;
    let failures = row.failures;
    let blockedUntil = row.blockedUntil;
    if (cleared) {
      failures = 1;
      const delay = delayAfter(failures);
      blockedUntil = delay > 0 ? new Date(at.getTime() + delay) : null;
    } else if (repeated) {
      failures = Math.max(0, failures - 1);
      blockedUntil = easedBlock(failures, blockedUntil, at);
    }
    const [updated] = await tx
      .update(throttles)
      .set({ failures, blockedUntil, lastFailureAt: at, lastSecretFingerprint: print })
      .where(eq(throttles.key, key))
      .returning();
    const state = stateOf(updated!);
    const reachedLock =
      policy.lockAfter !== undefined &&
      (cleared ? failures : reservedFailures) === policy.lockAfter;
    return { ...state, counted: !repeated, lockedNow: !repeated && reachedLock };
  }

  /** After a count was given back: no block within the free failures, never a longer one. */
  function easedBlock(failures: number, blockedUntil: Date | null, at: Date): Date | null {
    const delay = delayAfter(failures);
    if (delay === 0) return null;
    const earned = new Date(at.getTime() + delay);
    return blockedUntil && blockedUntil < earned ? blockedUntil : earned;
  }

  /** Gives back one reserved count (a success where success clears nothing, or no verdict). */
  async function releaseIn(tx: DbOrTx, key: string, at: Date): Promise<void> {
    const [row] = await tx.select().from(throttles).where(eq(throttles.key, key)).for('update');
    if (!row || row.lastFailureAt === null) return;
    const failures = Math.max(0, row.failures - 1);
    await tx
      .update(throttles)
      .set({ failures, blockedUntil: easedBlock(failures, row.blockedUntil, at) })
      .where(eq(throttles.key, key));
  }

  /** A success: clears the count (NIST SP 800-63B §5.2.2), or gives the reservation back. */
  async function succeedIn(tx: DbOrTx, key: string, at: Date): Promise<void> {
    if (successClears) await tx.delete(throttles).where(eq(throttles.key, key));
    else await releaseIn(tx, key, at);
  }

  /**
   * Counts one failure for `key` without a reservation (where no expensive check is
   * guarded). With `secret`, the same wrong secret sent again counts once. Serialised
   * per key by a row lock, so concurrent failures on several nodes all count.
   */
  async function recordFailure(
    key: string,
    options: { secret?: string } = {},
  ): Promise<FailureOutcome> {
    const at = now();
    const print = options.secret === undefined ? null : fingerprint(key, options.secret);
    return db.transaction(async (tx) => {
      const row = await lockRow(tx, key);
      const fresh = forgotten(row, at);
      const previous = fresh ? 0 : row.failures;
      const repeated = !fresh && print !== null && row.lastSecretFingerprint === print;
      const failures = repeated ? previous : previous + 1;
      const delay = delayAfter(failures);
      const blockedUntil = repeated
        ? row.blockedUntil
        : delay > 0
          ? new Date(at.getTime() + delay)
          : null;
      const [updated] = await tx
        .update(throttles)
        .set({ failures, lastFailureAt: at, blockedUntil, lastSecretFingerprint: print })
        .where(eq(throttles.key, key))
        .returning();
      const state = stateOf(updated!);
      return { ...state, counted: !repeated, lockedNow: state.locked && !isLocked(previous) };
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

  /** One subject of an attempt, for `reserveAttempt` across several throttles. */
  const subject = (key: string, fingerprintScope?: string): ReservedSubject => ({
    key,
    fingerprintScope,
    reserveIn,
    confirmFailureIn,
    succeedIn,
    releaseIn,
  });

  return {
    blocked,
    assertAllowed,
    fingerprint,
    recordFailure,
    recordSuccess,
    state,
    prune,
    delayAfter,
    subject,
    /** Reserves one attempt on `key` alone; see `reserveAttempt`. */
    reserve: (key: string, what?: string) => reserveAttempt(deps, [subject(key)], what),
  };
}

export type Throttle = ReturnType<typeof createThrottle>;

type ReserveOutcome =
  { ok: true; failures: number } | { ok: false; locked: boolean; retryAfterMs: number };

/** One subject of an attempt: a key under one throttle's policy. */
export interface ReservedSubject {
  key: string;
  /** Prefixes the secret before it is fingerprinted (say, the account of a per-address count). */
  fingerprintScope?: string;
  reserveIn(tx: DbOrTx, key: string, at: Date): Promise<ReserveOutcome>;
  confirmFailureIn(
    tx: DbOrTx,
    key: string,
    at: Date,
    reservedFailures: number,
    secret: string | undefined,
  ): Promise<FailureOutcome>;
  succeedIn(tx: DbOrTx, key: string, at: Date): Promise<void>;
  releaseIn(tx: DbOrTx, key: string, at: Date): Promise<void>;
}

/** A reserved attempt: report exactly one verdict (later calls do nothing). */
export interface Attempt {
  /** The check passed: each subject clears or gives back its count, per its policy. */
  succeeded(): Promise<void>;
  /** The check failed: the counts stay (a repeated secret is given back); one outcome per subject. */
  failed(secret?: string): Promise<FailureOutcome[]>;
  /** No verdict (say, a right password still waiting for its code): every count is given back. */
  release(): Promise<void>;
}

/**
 * Reserves one attempt on every subject at once, in one transaction with the rows locked
 * in key order (no deadlock between two attempts naming the same keys): when any subject
 * is blocked nothing is counted and TOO_MANY_REQUESTS is thrown (reason `locked` or
 * `throttled`, with `retryAfterSeconds`), before any expensive check.
 */
export async function reserveAttempt(
  deps: ThrottleDeps,
  subjects: ReservedSubject[],
  what = 'sign-in',
): Promise<Attempt> {
  const { db, now } = deps;
  const ordered = [...subjects].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const at = now();
  const outcome = await db.transaction(async (tx) => {
    const counts = new Map<string, number>();
    let blockedBy: { locked: boolean; retryAfterMs: number } | null = null;
    for (const subject of ordered) {
      const reservation = await subject.reserveIn(tx, subject.key, at);
      if (reservation.ok) counts.set(subject.key, reservation.failures);
      else if (!blockedBy || reservation.retryAfterMs > blockedBy.retryAfterMs) {
        blockedBy = reservation;
      }
    }
    // Refused: roll back the counts taken on the other subjects.
    if (blockedBy) throw refusal(blockedBy.locked, blockedBy.retryAfterMs, what);
    return counts;
  });
  const reserved = outcome;

  let settled = false;
  const settle = async <T>(work: (tx: DbOrTx, at: Date) => Promise<T>, fallback: T) => {
    if (settled) return fallback;
    settled = true;
    return db.transaction((tx) => work(tx, now()));
  };
  return {
    succeeded: () =>
      settle(async (tx, at) => {
        for (const s of ordered) await s.succeedIn(tx, s.key, at);
      }, undefined),
    failed: (secret) =>
      settle(async (tx, at) => {
        const outcomes: FailureOutcome[] = [];
        for (const s of subjects) {
          const scoped =
            secret === undefined || s.fingerprintScope === undefined
              ? secret
              : `${s.fingerprintScope}\0${secret}`;
          outcomes.push(await s.confirmFailureIn(tx, s.key, at, reserved.get(s.key)!, scoped));
        }
        return outcomes;
      }, []),
    release: () =>
      settle(async (tx, at) => {
        for (const s of ordered) await s.releaseIn(tx, s.key, at);
      }, undefined),
  };
}

function refusal(locked: boolean, retryAfterMs: number, what: string): SidekeyError {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const wait = describeWait(retryAfterSeconds);
  return locked
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

function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
