import type { RequestEvent } from '@sveltejs/kit';

/**
 * The caller's address. Behind a proxy, adapter-node reads it from ADDRESS_HEADER
 * (e.g. X-Forwarded-For) with XFF_DEPTH, which the operator sets; never trusted blindly.
 */
export function clientAddress(event: RequestEvent): string | null {
  try {
    return event.getClientAddress();
  } catch {
    return null;
  }
}
