/**
 * CSRF for /api/trpc. SvelteKit's origin check covers form posts only; tRPC takes JSON.
 * A browser marks every request with its origin (Origin, Sec-Fetch-Site), so a write
 * from another site is refused here; the session cookie is SameSite=Lax besides.
 * Servers calling with a service key send neither header and are not affected.
 */
export function isCrossSiteWrite(request: Request, origin: string): boolean {
  if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') {
    return false;
  }
  const site = request.headers.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return true;
  const sentOrigin = request.headers.get('origin');
  return sentOrigin !== null && sentOrigin !== origin;
}

export function crossSiteRefusal(): Response {
  return new Response(
    JSON.stringify({ error: { message: 'Cross-site requests are not allowed.' } }),
    { status: 403, headers: { 'content-type': 'application/json' } },
  );
}
