import { error, redirect } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { credentialLifecycleGraph } from '@sidekey/lifecycle';
import { reviewEmphasis } from '$lib/flows/emphasis';
import { layoutLifecycle } from '$lib/flows/layout';
import { isoDay } from '$lib/flows/time';
import { serverCaller } from '$lib/server/trpc';
import type { PageServerLoad } from './$types';

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 30;

/**
 * Review mode, for admins: credentials per state and transitions per edge and reason over
 * a period chosen in the query (?from=YYYY-MM-DD&to=YYYY-MM-DD, whole days in UTC).
 */
export const load = (async (event) => {
  const { auth } = event.locals.context;
  if (!auth) redirect(303, '/sign-in');
  if (auth.account.role !== 'admin') error(403, 'Review mode is for administrators.');

  const today = event.locals.context.sidekey.deps.now();
  const fromDay = parseDay(event.url.searchParams.get('from'));
  const toDay = parseDay(event.url.searchParams.get('to'));
  const from = fromDay ?? new Date(Date.parse(isoDay(today)) - (DEFAULT_DAYS - 1) * DAY_MS);
  // Up to the end of the last day named (the period excludes its end), or open-ended: up
  // to the newest audit row.
  const to = toDay ? new Date(toDay.getTime() + DAY_MS) : undefined;

  const review = await serverCaller(event)
    .flows.review({ from, to })
    .catch((cause: unknown) => {
      if (cause instanceof TRPCError && cause.code === 'BAD_REQUEST') error(400, cause.message);
      if (cause instanceof TRPCError && cause.code === 'FORBIDDEN') error(403, cause.message);
      throw cause;
    });

  const graph = credentialLifecycleGraph();
  const { emphasis, extra, totals } = reviewEmphasis(graph, review.transitions);
  const notes = Object.fromEntries(
    review.states.map((row) => [row.state, `${row.count} credential${row.count === 1 ? '' : 's'}`]),
  );
  return {
    graph,
    layout: layoutLifecycle(graph, extra, { reasons: false, notes }),
    compactLayout: layoutLifecycle(graph, extra, { reasons: false, notes, compact: true }),
    emphasis,
    totals,
    states: review.states,
    transitions: review.transitions,
    disallowed: review.disallowed,
    period: { from: isoDay(from), to: isoDay(toDay ?? today) },
  };
}) satisfies PageServerLoad;

/** The start of a UTC day from `YYYY-MM-DD`; anything else is the reviewer's typo, answered with 400. */
function parseDay(value: string | null): Date | null {
  if (value === null || value === '') return null;
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  if (Number.isNaN(day)) error(400, 'Dates look like 2026-01-31.');
  return new Date(day);
}
