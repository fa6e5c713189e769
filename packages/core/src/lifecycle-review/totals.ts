import {
  lifecycleEdgeTotals,
  lifecycleStateTotals,
  lifecycleTally,
  type DbOrTx,
} from '@sidekey/db';
import { and, count, eq, lt, lte, max, sql, type SQL } from 'drizzle-orm';

/**
 * Running totals of the lifecycle, so the review reads a few dozen rows whatever the size of
 * the log: the newest snapshot at or before an instant, plus the tally not yet folded into
 * one. See the schema (`lifecycle-totals.ts`) for how the tally and snapshots are written.
 */

export interface EdgeKey {
  event: string;
  fromState: string | null;
  toState: string;
  reason: string | null;
}

export interface Totals {
  edges: Map<string, EdgeKey & { count: number }>;
  states: Map<string, number>;
}

/** Snapshots older than this are thinned to the last one of each UTC day. */
const HOURLY_SNAPSHOTS_KEPT_MS = 31 * 24 * 60 * 60 * 1000;

/** Any fixed key: folds on every node take turns; lifecycle writes never take it. */
const FOLD_LOCK = 0x5f1d_ea11;

export interface FoldReport {
  /** Tallied steps folded into a snapshot. */
  folded: number;
  /** Snapshot instants thinned away. */
  thinned: number;
}

/**
 * Folds the tally into a snapshot and thins old snapshots. Housekeeping folds up to the
 * start of the current hour by the database's clock (the clock audit rows carry), so
 * snapshots fall on hour boundaries; `upTo` folds up to another instant instead.
 */
export async function foldLifecycleTally(
  db: DbOrTx,
  options: { upTo?: Date } = {},
): Promise<FoldReport> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${FOLD_LOCK})`);
    const boundary = options.upTo
      ? sql`${options.upTo.toISOString()}::timestamptz`
      : sql`date_trunc('hour', now(), 'UTC')`;
    const [clock] = await tx
      .select({ through: sql<Date>`${boundary}`.mapWith(lifecycleEdgeTotals.through) })
      .from(sql`(SELECT 1) AS one`);
    const [newest] = await tx
      .select({ through: max(lifecycleEdgeTotals.through) })
      .from(lifecycleEdgeTotals);
    const previous = newest?.through ?? null;

    // Deleting what it folds is what makes a step count once: a step whose transaction
    // commits after this one began is simply left for the next fold.
    const folded = await tx
      .delete(lifecycleTally)
      .where(lt(lifecycleTally.at, clock!.through))
      .returning({
        event: lifecycleTally.event,
        fromState: lifecycleTally.fromState,
        toState: lifecycleTally.toState,
        reason: lifecycleTally.reason,
        leftState: lifecycleTally.leftState,
      });

    if (folded.length > 0) {
      // A step older than the newest snapshot (a late commit, or a fold up to 'now' earlier
      // in this hour) is added to that snapshot: snapshots never go back in time.
      const through = previous && previous >= clock!.through ? previous : clock!.through;
      if (previous && through > previous) await copySnapshot(tx, previous, through);
      await addToSnapshot(tx, through, tally(folded));
    }
    const thinned = await thinSnapshots(tx);
    return { folded: folded.length, thinned };
  });
}

/**
 * Totals of every step before `before`, from the newest snapshot at or before it and the
 * unfolded tally. Without it: everything so far.
 */
export async function totalsAt(db: DbOrTx, before?: Date): Promise<Totals> {
  const [snapshot] = await db
    .select({ through: max(lifecycleEdgeTotals.through) })
    .from(lifecycleEdgeTotals)
    .where(before ? lte(lifecycleEdgeTotals.through, before) : undefined);
  const through = snapshot?.through ?? null;

  const tallyBound: SQL | undefined = before ? lt(lifecycleTally.at, before) : undefined;
  const [edges, states, unfolded] = await Promise.all([
    through
      ? db
          .select({
            event: lifecycleEdgeTotals.event,
            fromState: lifecycleEdgeTotals.fromState,
            toState: lifecycleEdgeTotals.toState,
            reason: lifecycleEdgeTotals.reason,
            count: lifecycleEdgeTotals.total,
          })
          .from(lifecycleEdgeTotals)
          .where(eq(lifecycleEdgeTotals.through, through))
      : [],
    through
      ? db
          .select({ state: lifecycleStateTotals.state, count: lifecycleStateTotals.total })
          .from(lifecycleStateTotals)
          .where(eq(lifecycleStateTotals.through, through))
      : [],
    db
      .select({
        event: lifecycleTally.event,
        fromState: lifecycleTally.fromState,
        toState: lifecycleTally.toState,
        reason: lifecycleTally.reason,
        leftState: lifecycleTally.leftState,
        count: count(),
      })
      .from(lifecycleTally)
      .where(tallyBound)
      .groupBy(
        lifecycleTally.event,
        lifecycleTally.fromState,
        lifecycleTally.toState,
        lifecycleTally.reason,
        lifecycleTally.leftState,
      ),
  ]);

  const totals: Totals = { edges: new Map(), states: new Map() };
  for (const row of edges) addEdge(totals, fromStored(row), row.count);
  for (const row of states) totals.states.set(row.state, row.count);
  for (const { leftState, ...edge } of unfolded) {
    addEdge(totals, edge, edge.count);
    addFlow(totals.states, { leftState, toState: edge.toState }, edge.count);
  }
  return totals;
}

/** Steps between two totals, per edge and reason: `later − earlier`, zeros left out. */
export function stepsBetween(earlier: Totals, later: Totals): (EdgeKey & { count: number })[] {
  const steps: (EdgeKey & { count: number })[] = [];
  for (const [key, edge] of later.edges) {
    const taken = edge.count - (earlier.edges.get(key)?.count ?? 0);
    if (taken !== 0) steps.push({ ...edge, count: taken });
  }
  return steps;
}

function edgeKey(edge: EdgeKey): string {
  return JSON.stringify([edge.event, edge.fromState, edge.toState, edge.reason]);
}

function addEdge(totals: Totals, edge: EdgeKey, n: number) {
  const key = edgeKey(edge);
  const known = totals.edges.get(key);
  if (known) known.count += n;
  else totals.edges.set(key, { ...edge, count: n });
}

/**
 * A step moves one credential from the state it was in (its previous step's target; none
 * before its first) to its target.
 */
function addFlow(
  states: Map<string, number>,
  step: { leftState: string | null; toState: string },
  n: number,
) {
  states.set(step.toState, (states.get(step.toState) ?? 0) + n);
  if (step.leftState !== null) {
    states.set(step.leftState, (states.get(step.leftState) ?? 0) - n);
  }
}

/** The snapshot tables store a missing state or reason as ''. */
function fromStored(row: { event: string; fromState: string; toState: string; reason: string }) {
  return {
    event: row.event,
    fromState: row.fromState === '' ? null : row.fromState,
    toState: row.toState,
    reason: row.reason === '' ? null : row.reason,
  };
}

function tally(rows: (EdgeKey & { leftState: string | null })[]): Totals {
  const totals: Totals = { edges: new Map(), states: new Map() };
  for (const { leftState, ...edge } of rows) {
    addEdge(totals, edge, 1);
    addFlow(totals.states, { leftState, toState: edge.toState }, 1);
  }
  return totals;
}

async function copySnapshot(tx: DbOrTx, from: Date, to: Date) {
  await tx.insert(lifecycleEdgeTotals).select(
    tx
      .select({
        through: sql`${to.toISOString()}::timestamptz`.as('through'),
        event: lifecycleEdgeTotals.event,
        fromState: lifecycleEdgeTotals.fromState,
        toState: lifecycleEdgeTotals.toState,
        reason: lifecycleEdgeTotals.reason,
        total: lifecycleEdgeTotals.total,
      })
      .from(lifecycleEdgeTotals)
      .where(eq(lifecycleEdgeTotals.through, from)),
  );
  await tx.insert(lifecycleStateTotals).select(
    tx
      .select({
        through: sql`${to.toISOString()}::timestamptz`.as('through'),
        state: lifecycleStateTotals.state,
        total: lifecycleStateTotals.total,
      })
      .from(lifecycleStateTotals)
      .where(eq(lifecycleStateTotals.through, from)),
  );
}

async function addToSnapshot(tx: DbOrTx, through: Date, added: Totals) {
  const edges = [...added.edges.values()].map((edge) => ({
    through,
    event: edge.event,
    fromState: edge.fromState ?? '',
    toState: edge.toState,
    reason: edge.reason ?? '',
    total: edge.count,
  }));
  await tx
    .insert(lifecycleEdgeTotals)
    .values(edges)
    .onConflictDoUpdate({
      target: [
        lifecycleEdgeTotals.through,
        lifecycleEdgeTotals.event,
        lifecycleEdgeTotals.fromState,
        lifecycleEdgeTotals.toState,
        lifecycleEdgeTotals.reason,
      ],
      set: { total: sql`${lifecycleEdgeTotals.total} + excluded.total` },
    });
  const states = [...added.states].map(([state, total]) => ({ through, state, total }));
  await tx
    .insert(lifecycleStateTotals)
    .values(states)
    .onConflictDoUpdate({
      target: [lifecycleStateTotals.through, lifecycleStateTotals.state],
      set: { total: sql`${lifecycleStateTotals.total} + excluded.total` },
    });
}

/**
 * Keeps every snapshot of the last month and the last of each day before that, so a review
 * of an older period starts on a day boundary and the tables grow by a day's worth a day.
 */
async function thinSnapshots(tx: DbOrTx): Promise<number> {
  const cutoff = sql`now() - ${`${HOURLY_SNAPSHOTS_KEPT_MS} milliseconds`}::interval`;
  const later = sql`EXISTS (
    SELECT 1 FROM ${lifecycleEdgeTotals} AS later
    WHERE later.through > ${lifecycleEdgeTotals.through}
      AND later.through < date_trunc('day', ${lifecycleEdgeTotals.through}, 'UTC') + interval '1 day'
  )`;
  const thinned = await tx
    .delete(lifecycleEdgeTotals)
    .where(and(lt(lifecycleEdgeTotals.through, cutoff), later))
    .returning({ through: lifecycleEdgeTotals.through });
  const instants = [...new Set(thinned.map((row) => row.through.getTime()))];
  if (instants.length > 0) {
    await tx
      .delete(lifecycleStateTotals)
      .where(
        and(
          lt(lifecycleStateTotals.through, cutoff),
          sql`NOT EXISTS (SELECT 1 FROM ${lifecycleEdgeTotals} WHERE ${lifecycleEdgeTotals.through} = ${lifecycleStateTotals.through})`,
        ),
      );
  }
  return instants.length;
}
