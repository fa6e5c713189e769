import type { Handle, ServerInit } from '@sveltejs/kit';
import { readSessionToken, resolveSession, SESSION_COOKIE, sessionCookie } from '@sidekey/api';
import { clientAddress } from '$lib/server/client-address';
import { handleFastRouteRequest } from '$lib/server/adapters/routes';
import { getRuntime, getSidekey, startIsManaged } from '$lib/server/runtime';
import { applySecurityHeaders } from '$lib/server/security-headers';
import { writeSessionCookie } from '$lib/server/trpc';
import { crossSiteRefusal, isCrossSiteWrite } from '$lib/server/same-origin';

/**
 * Opens the database (and migrates it) when the server starts, not on the first request;
 * under server.js, which opens it itself once its port is bound.
 */
export const init: ServerInit = async () => {
  if (!startIsManaged()) await getRuntime();
};

/** The session is resolved once per request; pages and /api/trpc read it from locals. */
export const handle: Handle = async ({ event, resolve }) => {
  // In production server.js answers these before SvelteKit; under `vite dev` they land here.
  const plain = await handleFastRouteRequest(event.request, getSidekey, () => clientAddress(event));
  if (plain) return plain;
  if (
    event.url.pathname.startsWith('/api/trpc') &&
    isCrossSiteWrite(event.request, event.url.origin)
  ) {
    return applySecurityHeaders(crossSiteRefusal());
  }
  const { sidekey, config } = await getRuntime();
  const token =
    event.cookies.get(SESSION_COOKIE) ?? readSessionToken(event.request.headers.get('cookie'));
  const auth = await resolveSession(sidekey, token ?? null);
  // The session's expiry slid: send the cookie again, or the browser drops it at the old one.
  if (auth?.renewed && token) {
    writeSessionCookie(event, sessionCookie(event.url, token, auth.session.expiresAt));
  }
  event.locals.context = {
    sidekey,
    auth,
    address: clientAddress(event),
    requestDeadlineMs: config.requestDeadlineMs,
  };
  return applySecurityHeaders(await resolve(event));
};
