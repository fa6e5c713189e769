import { autoconfigResponse } from '$lib/server/autoconfig';
import type { RequestHandler } from './$types';

/** Thunderbird's well-known location for its autoconfig document. */
export const GET: RequestHandler = (event) => autoconfigResponse(event);
