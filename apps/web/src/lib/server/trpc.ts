import {
  clearedSessionCookie,
  createCaller,
  createTRPCContext,
  resolveSession,
  SESSION_COOKIE,
  sessionCookie,
  type SessionCookie,
} from '@sidekey/api';
import type { RequestEvent } from '@sveltejs/kit';

/**
 * Writes the session cookie through SvelteKit's cookies API, with the name and attributes
 * the api decides for /api/trpc's Set-Cookie too: a session opened by a form action and one
 * opened over HTTP are the same cookie.
 */
export function writeSessionCookie(event: RequestEvent, { name, value, options }: SessionCookie) {
  event.cookies.set(name, value, options);
}

/**
 * The tRPC router called in-process from loads and form actions: the same procedures,
 * validation and errors as /api/trpc, without an HTTP round trip.
 */
export function serverCaller(event: RequestEvent) {
  const { sidekey, auth, address } = event.locals.context;
  return createCaller(
    createTRPCContext({
      sidekey,
      auth,
      address,
      headers: event.request.headers,
      cookies: {
        setSession: (token, expiresAt) =>
          writeSessionCookie(event, sessionCookie(event.url, token, expiresAt)),
        clearSession: () => writeSessionCookie(event, clearedSessionCookie(event.url)),
      },
    }),
  );
}

export type ServerCaller = ReturnType<typeof serverCaller>;

/**
 * Re-reads the session after a procedure changed it (re-authentication stamps the row),
 * so a second call in the same form action sees the fresh state.
 */
export async function refreshSession(event: RequestEvent): Promise<void> {
  const token = event.cookies.get(SESSION_COOKIE) ?? null;
  event.locals.context.auth = await resolveSession(event.locals.context.sidekey, token);
}

/** The password (and, with two-factor on, a code) a form carried to confirm it's the owner. */
export interface Confirmation {
  password: string;
  code?: string;
}

/**
 * Runs a procedure that needs a recent re-authentication. With a confirmation, re-authenticates
 * first (throttled and audited like any other attempt) and re-reads the session, so the
 * procedure sees the fresh stamp; without one, the procedure runs on the session as it is and
 * refuses with `reauthentication_required` if that is too old. Refusals are thrown as they come.
 */
export async function withReauthentication<R>(
  event: RequestEvent,
  confirmation: Confirmation | null,
  run: (caller: ServerCaller) => Promise<R>,
): Promise<R> {
  if (confirmation) {
    const code = confirmation.code?.trim();
    await serverCaller(event).auth.reauthenticate({
      password: confirmation.password,
      code: code || undefined,
    });
    await refreshSession(event);
  }
  return run(serverCaller(event));
}
