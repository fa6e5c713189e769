import type { AppRouter } from '@sidekey/api';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import superjson from 'superjson';

/**
 * The typed client for the browser: the same procedures the server calls in-process,
 * over /api/trpc with the session cookie (same origin only, see hooks.server.ts).
 */
export const trpc = createTRPCClient<AppRouter>({
  // The server refuses batches of more than 10 calls (MAX_BATCH_SIZE in @sidekey/api).
  links: [httpBatchLink({ url: '/api/trpc', transformer: superjson, maxItems: 10 })],
});
