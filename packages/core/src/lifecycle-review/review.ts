import { appPasswords, auditEvents, type DbOrTx } from '@sidekey/db';
import {
  credentialLifecycleGraph,
  isAllowedStep,
  type LifecycleGraph,
  type LifecycleTransition,
} from '@sidekey/lifecycle';
import { and, asc, count, desc, eq, gte, isNotNull, lte, sql } from 'drizzle-orm';
import type { Deps } from '../deps.ts';
import { notFound, SidekeyError } from '../errors.ts';

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
  from: Date;
  to: Date;
  /** Credentials per state at the end of the period, from each one's last audited step. */
  states: { state: string; count: number }[];
  /** Transitions taken in the period, per edge and reason. */
  transitions: EdgeCount[];
  /** How many audited steps in the period the machine would not allow. */
  disallowed: number;
}

/** The longest period a review may cover: a year keeps the scan bounded. */
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
   */
  async function review(period: { from: Date; to?: Date }): Promise<LifecycleReview> {
    const { from } = period;
    const to = period.to ?? deps.now();
    const upTo = period.to ? lte(auditEvents.at, period.to) : undefined;
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
    const lifecycleStep = and(
      isNotNull(auditEvents.credentialId),
      isNotNull(auditEvents.toState),
      sql`${auditEvents.action} IN (${sql.join(
        graph.events.map((event) => sql`${event}`),
        sql`, `,
      )})`,
    );

    // The state each credential was in at the end of the period: its last step up to then.
    const lastSteps = deps.db
      .selectDistinctOn([auditEvents.credentialId], {
        credentialId: auditEvents.credentialId,
        state: auditEvents.toState,
      })
      .from(auditEvents)
      .where(and(lifecycleStep, upTo))
      .orderBy(auditEvents.credentialId, desc(auditEvents.id))
      .as('last_steps');
    const states = await deps.db
      .select({ state: lastSteps.state, count: count() })
      .from(lastSteps)
      .groupBy(lastSteps.state);

    const taken = await deps.db
      .select({
        event: auditEvents.action,
        fromState: auditEvents.fromState,
        toState: auditEvents.toState,
        reason: auditEvents.reason,
        count: count(),
      })
      .from(auditEvents)
      .where(and(lifecycleStep, gte(auditEvents.at, from), upTo))
      .groupBy(auditEvents.action, auditEvents.fromState, auditEvents.toState, auditEvents.reason)
      .orderBy(auditEvents.action, auditEvents.fromState, auditEvents.toState, auditEvents.reason);

    const transitions = taken.map((row) => {
      const edge = edgeFor(graph, row.event, row.fromState, row.toState);
      return { ...row, edgeId: edge?.id ?? null, allowed: edge !== null };
    });
    const stateOrder = graph.states.map((state) => state.id);
    return {
      from,
      to,
      states: states
        .map((row) => ({ state: row.state ?? 'unknown', count: row.count }))
        .sort((a, b) => stateOrder.indexOf(a.state) - stateOrder.indexOf(b.state)),
      transitions,
      disallowed: transitions.filter((row) => !row.allowed).reduce((n, row) => n + row.count, 0),
    };
  }

  return { graph, credentialPath, review };
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
