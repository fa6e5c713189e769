import { appPasswords, auditEvents, type DbOrTx } from '@sidekey/db';
import {
  credentialLifecycleGraph,
  isAllowedStep,
  type LifecycleGraph,
  type LifecycleTransition,
} from '@sidekey/lifecycle';
import { and, asc, eq, isNotNull } from 'drizzle-orm';
import type { Deps } from '../deps.ts';
import { notFound, SidekeyError } from '../errors.ts';
import { stepsBetween, totalsAt, type EdgeKey } from './totals.ts';

/**
 * What a reviewer sees of the lifecycle as it really ran: one credential's path from
 * its audit trail, and — for admins — how many credentials sit in each state and how
 * often each edge was taken over a period. Every audit step is checked against the
 * machine's own graph; a step it would not take is flagged (it should never happen).
 */

export interface PathStep {
  id: number;
  at: Date;
  event: string;
  fromState: string | null;
  toState: string | null;
  actor: string;
  reason: string | null;
  service: string | null;
  address: string | null;
  /** The machine edge this step took, or null when the machine has no such edge. */
  edgeId: string | null;
  allowed: boolean;
}

export interface CredentialPath {
  credential: {
    id: string;
    label: string;
    state: string;
    createdAt: Date;
    expiresAt: Date | null;
  };
  steps: PathStep[];
}

export interface EdgeCount {
  edgeId: string | null;
  event: string;
  fromState: string | null;
  toState: string | null;
  reason: string | null;
  count: number;
  allowed: boolean;
}

export interface LifecycleReview {
  /** The period: steps at or after `from` and before `to`. */
  from: Date;
  to: Date;
  /** Credentials per state at the end of the period: where their audited steps took them. */
  states: { state: string; count: number }[];
  /** Transitions taken in the period, per edge and reason. */
  transitions: EdgeCount[];
  /** How many audited steps in the period the machine would not allow. */
  disallowed: number;
}

/** The longest period a review may cover: a year, so last year can be compared with this one. */
export const MAX_REVIEW_PERIOD_MS = 366 * 24 * 60 * 60 * 1000;

/** Read once: the machine does not change while the process runs. */
let cachedGraph: LifecycleGraph | undefined;

export function lifecycleReviewService(deps: Deps) {
  const graph = (cachedGraph ??= credentialLifecycleGraph());

  /** Someone else's credential answers exactly like an unknown one. */
  async function credentialPath(accountId: string, credentialId: string): Promise<CredentialPath> {
    const [row] = await deps.db
      .select({
        id: appPasswords.id,
        label: appPasswords.label,
        state: appPasswords.state,
        createdAt: appPasswords.createdAt,
        expiresAt: appPasswords.expiresAt,
      })
      .from(appPasswords)
      .where(and(eq(appPasswords.id, credentialId), eq(appPasswords.accountId, accountId)));
    if (!row) throw notFound('App password');
    const events = await lifecycleEventsOf(deps.db, credentialId);
    return {
      credential: row,
      steps: events.map((event) => {
        const edge = edgeFor(graph, event.action, event.fromState, event.toState);
        return {
          ...event,
          event: event.action,
          edgeId: edge?.id ?? null,
          allowed: edge !== null,
        };
      }),
    };
  }

  /**
   * Without `to`, the period runs up to whatever is in the log: audit rows carry the
   * database's clock, which need not agree to the millisecond with this node's.
   *
   * The counts come from running totals (`totals.ts`), never from a scan of the log, so a
   * year costs what an hour does. A bound that falls before the newest fold is read at the
   * snapshot at or before it: to the hour within the last month, to the day before that.
   */
  async function review(period: { from: Date; to?: Date }): Promise<LifecycleReview> {
    const { from } = period;
    const to = period.to ?? deps.now();
    if (!(from < to)) {
      throw new SidekeyError(
        'BAD_REQUEST',
        'The period must start before it ends.',
        'invalid_period',
      );
    }
    if (to.getTime() - from.getTime() > MAX_REVIEW_PERIOD_MS) {
      throw new SidekeyError('BAD_REQUEST', 'Choose a period of at most a year.', 'invalid_period');
    }
    const [before, atEnd] = await Promise.all([
      totalsAt(deps.db, from),
      totalsAt(deps.db, period.to),
    ]);

    const lifecycleEvents = new Set(graph.events);
    const transitions = stepsBetween(before, atEnd)
      .filter((step) => lifecycleEvents.has(step.event))
      .map((step) => {
        const edge = edgeFor(graph, step.event, step.fromState, step.toState);
        return { ...step, edgeId: edge?.id ?? null, allowed: edge !== null };
      })
      .sort(byEdge);
    const stateOrder = graph.states.map((state) => state.id);
    const rank = (state: string) => {
      const index = stateOrder.indexOf(state);
      return index === -1 ? stateOrder.length : index;
    };
    return {
      from,
      to,
      states: [...atEnd.states]
        .filter(([, total]) => total !== 0)
        .map(([state, total]) => ({ state, count: total }))
        .sort((a, b) => rank(a.state) - rank(b.state)),
      transitions,
      disallowed: transitions.filter((row) => !row.allowed).reduce((n, row) => n + row.count, 0),
    };
  }

  return { graph, credentialPath, review };
}

/** A stable order for a review's transitions: by event, then source, target and reason. */
function byEdge(a: EdgeKey, b: EdgeKey): number {
  const key = (edge: EdgeKey) => [
    edge.event,
    edge.fromState ?? '',
    edge.toState,
    edge.reason ?? '',
  ];
  const [left, right] = [key(a), key(b)];
  for (let i = 0; i < left.length; i++) {
    if (left[i] !== right[i]) return left[i]! < right[i]! ? -1 : 1;
  }
  return 0;
}

function lifecycleEventsOf(db: DbOrTx, credentialId: string) {
  return db
    .select({
      id: auditEvents.id,
      at: auditEvents.at,
      action: auditEvents.action,
      fromState: auditEvents.fromState,
      toState: auditEvents.toState,
      actor: auditEvents.actor,
      reason: auditEvents.reason,
      service: auditEvents.service,
      address: auditEvents.address,
    })
    .from(auditEvents)
    .where(and(eq(auditEvents.credentialId, credentialId), isNotNull(auditEvents.toState)))
    .orderBy(asc(auditEvents.id));
}

/**
 * The machine edge an audited step took. Only edges carrying the machine's `audit` action
 * are audited, so where an event has several candidates between the same states (active →
 * active on USE: a new network or service, or a routine use), the step took the audited one.
 */
export function edgeFor(
  graph: LifecycleGraph,
  event: string,
  fromState: string | null,
  toState: string | null,
): LifecycleTransition | null {
  if (fromState === null || toState === null) return null;
  if (!isAllowedStep(graph, fromState, toState, event)) return null;
  const candidates = graph.transitions.filter(
    (edge) => edge.source === fromState && edge.target === toState && edge.event === event,
  );
  return candidates.find((edge) => edge.actions.includes('audit')) ?? candidates[0] ?? null;
}
