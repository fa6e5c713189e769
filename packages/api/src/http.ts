import { SidekeyError, type Sidekey, type ValidatedSession } from '@sidekey/core';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { createTRPCContext } from './context.ts';
import { appRouter } from './root.ts';
import {
  clearedSessionCookie,
  readSessionToken,
  resolveSession,
  serializeSessionCookie,
  sessionCookie,
} from './session-cookie.ts';

export const TRPC_ENDPOINT = '/api/trpc';

/**
 * The most calls one HTTP request may batch; a larger batch is refused with 400 before
 * any call runs. Each call in a batch still reserves its own attempt on the throttles,
 * so a batch buys no more guesses than as many separate requests; the cap keeps one
 * request from queueing a node's whole hashing capacity. Clients batch at most this many
 * (`maxItems` of httpBatchLink).
 */
export const MAX_BATCH_SIZE = 10;

export interface TrpcRequestOptions {
  sidekey: Sidekey;
  /** Client address as the transport sees it (after trusted proxies). */
  address: string | null;
  /** The session if the transport already resolved it; otherwise read from the cookie. */
  auth?: ValidatedSession | null;
  /** How long `service.verify` may take before it answers 503 (SIDEKEY_REQUEST_DEADLINE_MS). */
  verifyDeadlineMs?: number;
}

/** Serves /api/trpc for any fetch-style server (SvelteKit here, or plain tests). */
export async function handleTrpcRequest(
  request: Request,
  options: TrpcRequestOptions,
): Promise<Response> {
  const url = new URL(request.url);
  const setCookies: string[] = [];
  let auth = options.auth;
  if (auth === undefined) {
    const token = readSessionToken(request.headers.get('cookie'));
    auth = await resolveSession(options.sidekey, token);
    // The session's expiry slid: the cookie must follow, or the browser drops it at the old one.
    if (auth?.renewed && token)
      setCookies.push(serializeSessionCookie(sessionCookie(url, token, auth.session.expiresAt)));
  }
  const context = createTRPCContext({
    sidekey: options.sidekey,
    auth,
    address: options.address,
    verifyDeadlineMs: options.verifyDeadlineMs,
    headers: request.headers,
    cookies: {
      setSession: (token, expiresAt) =>
        void setCookies.push(serializeSessionCookie(sessionCookie(url, token, expiresAt))),
      clearSession: () => void setCookies.push(serializeSessionCookie(clearedSessionCookie(url))),
    },
  });
  return fetchRequestHandler({
    endpoint: TRPC_ENDPOINT,
    req: request,
    router: appRouter,
    maxBatchSize: MAX_BATCH_SIZE,
    createContext: () => context,
    responseMeta: ({ errors }) => {
      const headers = new Headers({ 'cache-control': 'no-store' });
      // Throttled (429) and busy (503) callers are told when to come back (RFC 9110 §10.2.3),
      // never held waiting.
      const retryAfter = errors
        .map((error) =>
          error.cause instanceof SidekeyError ? error.cause.retryAfterSeconds : undefined,
        )
        .find((seconds) => seconds !== undefined);
      if (retryAfter !== undefined) headers.set('retry-after', String(retryAfter));
      for (const cookie of setCookies) headers.append('set-cookie', cookie);
      return { headers };
    },
  });
}
