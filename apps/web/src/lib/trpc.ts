import type { AppRouter } from '@sidekey/api';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import superjson from 'superjson';

/**
 * The typed client for the browser: the same procedures the server calls in-process,
 * over /api/trpc with the session cookie (same origin only, see hooks.server.ts).
 */
export const trpc = createTRPCClient<AppRouter>({
  links: [httpBatchLink({ url: '/api/trpc', transformer: superjson })],
});
