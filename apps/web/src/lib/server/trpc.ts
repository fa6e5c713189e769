import { createCaller, createTRPCContext, resolveSession, SESSION_COOKIE } from '@sidekey/api';
import type { RequestEvent } from '@sveltejs/kit';

/**
 * The tRPC router called in-process from loads and form actions: the same procedures,
 * validation and errors as /api/trpc, without an HTTP round trip. The session cookie is
 * set and cleared through SvelteKit's cookies API, with the same attributes as the HTTP
 * transport (HttpOnly, SameSite=Lax, Secure on https).
 */
export function sessionCookieOptions(event: RequestEvent) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: event.url.protocol === 'https:',
  } as const;
}

export function serverCaller(event: RequestEvent) {
  const { sidekey, auth, address } = event.locals.context;
  const options = sessionCookieOptions(event);
  return createCaller(
    createTRPCContext({
      sidekey,
      auth,
      address,
      headers: event.request.headers,
      cookies: {
        setSession: (token, expiresAt) =>
          event.cookies.set(SESSION_COOKIE, token, { ...options, expires: expiresAt }),
        clearSession: () => event.cookies.delete(SESSION_COOKIE, options),
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
