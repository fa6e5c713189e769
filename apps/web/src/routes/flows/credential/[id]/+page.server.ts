import { error, redirect } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { credentialLifecycleGraph } from '@sidekey/lifecycle';
import { pathEmphasis } from '$lib/flows/emphasis';
import { layoutLifecycle } from '$lib/flows/layout';
import { formatInstant } from '$lib/flows/time';
import { serverCaller } from '$lib/server/trpc';
import type { PageServerLoad } from './$types';

/** One credential's path, from its audit trail, on the lifecycle drawing. Its owner only. */
export const load = (async (event) => {
  if (!event.locals.context.auth) redirect(303, '/sign-in');
  const path = await serverCaller(event)
    .flows.credentialPath({ id: event.params.id })
    .catch((cause: unknown) => {
      // Someone else's id, an unknown one and a malformed one all look the same: not found.
      if (cause instanceof TRPCError && ['NOT_FOUND', 'BAD_REQUEST'].includes(cause.code)) {
        error(404, 'No such app password.');
      }
      throw cause;
    });
  const graph = credentialLifecycleGraph();
  const { emphasis, extra } = pathEmphasis(path.steps, path.credential.state);
  return {
    credential: path.credential,
    steps: path.steps.map((step, index) => ({
      number: index + 1,
      id: step.id,
      at: formatInstant(step.at),
      event: step.event,
      fromState: step.fromState,
      toState: step.toState,
      actor: step.actor,
      reason: step.reason,
      service: step.service,
      allowed: step.allowed,
      details: [
        `by ${step.actor}${step.service ? ` via ${step.service}` : ''}`,
        ...(step.reason ? [`reason ${step.reason}`] : []),
      ].join(' · '),
    })),
    layout: layoutLifecycle(graph, extra),
    compactLayout: layoutLifecycle(graph, extra, { compact: true }),
    emphasis,
    alarms: path.steps.filter((step) => !step.allowed).length,
  };
}) satisfies PageServerLoad;
