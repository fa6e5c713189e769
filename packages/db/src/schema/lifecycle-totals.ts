import { bigint, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { instant } from './columns.ts';

/**
 * The lifecycle review reads running totals, not the audit log, so a year's review costs
 * the same at a thousand credentials as at a million.
 *
 * A database trigger appends one tally row for every audited lifecycle step; nothing else
 * writes here and no lifecycle write waits on another. Housekeeping folds the tally into a
 * snapshot of running totals (deleting the rows it folded, in the same transaction, so each
 * step is counted exactly once even when its transaction commits late) and thins old
 * snapshots to one a day.
 */
export const lifecycleTally = pgTable(
  'lifecycle_tally',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** The audit event's own time. */
    at: instant('at').notNull(),
    event: text('event').notNull(),
    fromState: text('from_state'),
    toState: text('to_state').notNull(),
    reason: text('reason'),
    /**
     * The state the credential really left: its previous audited step's target, or null for
     * the first step still in the log. Usually `from_state`; where the log holds a step the
     * machine would not take, counting credentials per state must follow what happened.
     */
    leftState: text('left_state'),
  },
  (table) => [index('lifecycle_tally_at_idx').on(table.at)],
);

/**
 * Steps taken per edge and reason by every audited step before `through`, one full
 * snapshot per fold. A missing from-state or reason is stored as '' so the key can be a
 * primary key.
 */
export const lifecycleEdgeTotals = pgTable(
  'lifecycle_edge_totals',
  {
    through: instant('through').notNull(),
    event: text('event').notNull(),
    fromState: text('from_state').notNull(),
    toState: text('to_state').notNull(),
    reason: text('reason').notNull(),
    total: bigint('total', { mode: 'number' }).notNull(),
  },
  (table) => [
    primaryKey({
      columns: [table.through, table.event, table.fromState, table.toState, table.reason],
    }),
  ],
);

/** Credentials per state after every audited step before `through`; written with the edges. */
export const lifecycleStateTotals = pgTable(
  'lifecycle_state_totals',
  {
    through: instant('through').notNull(),
    state: text('state').notNull(),
    total: bigint('total', { mode: 'number' }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.through, table.state] })],
);
