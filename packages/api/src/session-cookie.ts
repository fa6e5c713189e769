import type { Sidekey, ValidatedSession } from '@sidekey/core';

export const SESSION_COOKIE = 'sidekey_session';

/** HttpOnly and SameSite=Lax always; Secure whenever the site is served over https. */
export function serializeSessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Expires=${expiresAt.toUTCString()}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

export function serializeClearedSessionCookie(secure: boolean): string {
  return [
    `${SESSION_COOKIE}=`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    'Max-Age=0',
    ...(secure ? ['Secure'] : []),
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
