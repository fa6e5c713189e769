import type { AppRouter } from '@sidekey/api';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import superjson from 'superjson';

export interface SidekeyClientOptions {
  /** Base URL of Sidekey, e.g. https://sidekey.example.org */
  url: string;
  /** Service key issued to this relying service. */
  serviceKey?: string;
}

/** The typed client: every procedure of AppRouter, with its input and output types. */
export function createSidekeyClient(options: SidekeyClientOptions) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: new URL('/api/trpc', options.url).toString(),
        transformer: superjson,
        headers: () =>
          options.serviceKey ? { authorization: `Bearer ${options.serviceKey}` } : {},
      }),
    ],
  });
}
