import { credentialLifecycleGraph } from '@sidekey/lifecycle';
import { layoutLifecycle } from '$lib/flows/layout';
import { serverCaller } from '$lib/server/trpc';
import type { PageServerLoad } from './$types';

/** The lifecycle as the code runs it: read from the machine object on every request. */
export const load = (async (event) => {
  const graph = credentialLifecycleGraph();
  const auth = event.locals.context.auth;
  const credentials = auth ? await serverCaller(event).appPasswords.list() : [];
  return {
    graph,
    layout: layoutLifecycle(graph),
    compactLayout: layoutLifecycle(graph, {}, { compact: true }),
    isAdmin: auth?.account.role === 'admin',
    credentials: credentials.map(({ id, label, state }) => ({ id, label, state })),
  };
}) satisfies PageServerLoad;
