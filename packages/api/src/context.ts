import type { Sidekey, ValidatedSession } from '@sidekey/core';

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
}
