import type { Sidekey, ValidatedSession } from '@sidekey/core';

export const SESSION_COOKIE = 'sidekey_session';

/**
 * The session cookie as it is written, by whichever transport: /api/trpc sends it as a
 * Set-Cookie header (serializeSessionCookie), the web app's in-process caller hands the same
 * name, value and options to SvelteKit's cookies.set. The options are shaped like those of
 * the `cookie` package, which SvelteKit serializes with.
 */
export interface SessionCookie {
  name: typeof SESSION_COOKIE;
  value: string;
  options: {
    path: '/';
    /** No script ever reads the session. */
    httpOnly: true;
    /** A cross-site form post or request carries no session. */
    sameSite: 'lax';
    /** On https only: a Secure cookie sent over plain http would never come back. */
    secure: boolean;
    expires?: Date;
    maxAge?: number;
  };
}

function options(url: URL) {
  return { path: '/', httpOnly: true, sameSite: 'lax', secure: url.protocol === 'https:' } as const;
}

/** Opens or renews the session on the site at `url`: the browser keeps it until `expiresAt`. */
export function sessionCookie(url: URL, token: string, expiresAt: Date): SessionCookie {
  return { name: SESSION_COOKIE, value: token, options: { ...options(url), expires: expiresAt } };
}

/** Ends the session on the site at `url`: the browser drops the cookie at once. */
export function clearedSessionCookie(url: URL): SessionCookie {
  return { name: SESSION_COOKIE, value: '', options: { ...options(url), maxAge: 0 } };
}

/** The cookie as a Set-Cookie header value. */
export function serializeSessionCookie({ name, value, options }: SessionCookie): string {
  return [
    `${name}=${value}`,
    `Path=${options.path}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(options.expires ? [`Expires=${options.expires.toUTCString()}`] : []),
    ...(options.maxAge !== undefined ? [`Max-Age=${options.maxAge}`] : []),
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

export function readSessionToken(cookieHeader: string | null): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=') || null;
  }
  return null;
}

export async function resolveSession(
  sidekey: Sidekey,
  token: string | null,
): Promise<ValidatedSession | null> {
  return token ? sidekey.sessions.validate(token) : null;
}
