import type { AppRouter } from '@sidekey/api';
import type { TRPCBuiltRouter } from '@trpc/server';
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  retryLink,
  splitLink,
  TRPCClientError,
} from '@trpc/client';
import { EventSource } from 'eventsource';
import superjson from 'superjson';

// The published contract: only the procedures for relying services (service.*), their
// input and output types spelled out, and the error shape. Both are *inferred* from the
// router here, so the emitted declaration writes them out in full — a consumer needs no
// Sidekey source, and nothing of the server (its request context, database types) leaks
// into the package.
const router = undefined as AppRouter | undefined;
const _serviceProcedures = router?._def.record.service;
const _errorShape = router?._def._config.$types.errorShape;

/** The router a relying service talks to: `service.verify`, `service.events`. */
export type SidekeyServiceRouter = TRPCBuiltRouter<
  {
    ctx: object;
    meta: object;
    errorShape: NonNullable<typeof _errorShape>;
    transformer: true;
  },
  { service: NonNullable<typeof _serviceProcedures> }
>;

export interface SidekeyClientOptions {
  /** Base URL of Sidekey, e.g. https://sidekey.example.org */
  url: string;
  /** Service key issued to this relying service (`sidekey service add <name>`). */
  serviceKey?: string;
  /** Attempts per call on network errors, the first included (default 5). */
  attempts?: number;
  /** Longest pause between attempts, in ms (default 10 000); pauses double from 250 ms. */
  maxRetryDelayMs?: number;
  /** fetch to use (default: the global one). */
  fetch?: typeof fetch;
}

/**
 * A call that never reached Sidekey or got no answer — what is worth retrying. An
 * error Sidekey answered (bad input, a wrong service key) would only fail again.
 */
export function isNetworkError(error: unknown): boolean {
  return error instanceof TRPCClientError && !error.data && !error.shape;
}

/**
 * The typed client of Sidekey's procedures for relying services, with their input and
 * output types: `service.verify.mutate(…)`, `service.events.subscribe(…)`.
 * Calls are retried with exponential backoff on network errors (verification is safe
 * to repeat); the events subscription (Server-Sent Events) reconnects by itself and
 * resumes after the last event it received, so no revocation is missed.
 */
export function createSidekeyClient(options: SidekeyClientOptions) {
  const endpoint = new URL('/api/trpc', options.url).toString();
  const authorization: Record<string, string> = options.serviceKey
    ? { authorization: `Bearer ${options.serviceKey}` }
    : {};
  const baseFetch = options.fetch ?? globalThis.fetch;
  const attempts = options.attempts ?? 5;
  const maxDelay = options.maxRetryDelayMs ?? 10_000;
  return createTRPCClient<SidekeyServiceRouter>({
    links: [
      retryLink({
        retry: ({ error, attempts: made, op }) =>
          op.type !== 'subscription' && made < attempts && isNetworkError(error),
        retryDelayMs: (attempt) => Math.min(250 * 2 ** attempt, maxDelay),
      }),
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url: endpoint,
          transformer: superjson,
          // Node has no EventSource; this one lets the key travel in a header, never in the URL.
          EventSource,
          eventSourceOptions: {
            fetch: (input, init) =>
              baseFetch(input, { ...init, headers: { ...init?.headers, ...authorization } }),
          },
        }),
        false: httpBatchLink({
          url: endpoint,
          transformer: superjson,
          // The server refuses batches of more than 10 calls (MAX_BATCH_SIZE in @sidekey/api).
          maxItems: 10,
          fetch: baseFetch,
          headers: () => authorization,
        }),
      }),
    ],
  });
}

export type SidekeyClient = ReturnType<typeof createSidekeyClient>;
