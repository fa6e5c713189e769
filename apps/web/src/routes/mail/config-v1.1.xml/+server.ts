import { autoconfigResponse } from '$lib/server/autoconfig';
import type { RequestHandler } from './$types';

/** The same document for the autoconfig.<domain> host Thunderbird also asks. */
export const GET: RequestHandler = (event) => autoconfigResponse(event);
