import type { Sidekey, ValidatedSession } from '@sidekey/core';
import { bearerToken } from './bearer.ts';

/** How the transport lets a procedure set or clear the session cookie. */
export interface SessionCookieJar {
  setSession(token: string, expiresAt: Date): void;
  clearSession(): void;
}

/** Everything a procedure may use; built once per request by the transport (apps/web). */
export interface RequestContext {
  sidekey: Sidekey;
  /** Resolved from the cookie before the procedure runs; null when signed out. */
  auth: ValidatedSession | null;
  /** Raw `Authorization: Bearer` value, for relying services. */
  serviceKey: string | null;
  address: string | null;
  userAgent: string | null;
  cookies: SessionCookieJar;
  /** How long `service.verify` may take before it answers 503; null: no limit (tests, scripts). */
  verifyDeadlineMs: number | null;
}

/** What every transport knows about a request; `createTRPCContext` makes the context of it. */
export interface ContextSource {
  sidekey: Sidekey;
  auth: ValidatedSession | null;
  /** The client's address, after trusted proxies. */
  address: string | null;
  /** The request's headers: the user agent, and `Authorization: Bearer` for relying services. */
  headers: { get(name: string): string | null };
  cookies: SessionCookieJar;
  /** SIDEKEY_REQUEST_DEADLINE_MS, as the plain-HTTP verify endpoints apply it. */
  verifyDeadlineMs?: number;
}

/**
 * The one place a procedure's context is built: /api/trpc, the in-process caller of
 * SvelteKit's loads and actions, and tests all wrap it, so a new field reaches every entry.
 */
export function createTRPCContext(source: ContextSource): RequestContext {
  return {
    sidekey: source.sidekey,
    auth: source.auth,
    address: source.address,
    userAgent: source.headers.get('user-agent'),
    serviceKey: bearerToken(source.headers.get('authorization')),
    cookies: source.cookies,
    verifyDeadlineMs: source.verifyDeadlineMs ?? null,
  };
}
