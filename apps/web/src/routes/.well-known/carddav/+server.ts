import { davRedirect } from '$lib/server/autoconfig';
import type { RequestHandler } from './$types';

/** RFC 6764 §5: where the CardDAV server is. */
export const GET: RequestHandler = () => davRedirect('carddav');
// Apps also ask with PROPFIND (RFC 4918); every method gets the same redirect.
export const fallback: RequestHandler = () => davRedirect('carddav');
