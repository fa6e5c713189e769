/**
 * The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), or null. One
 * parser for every entry point that takes a key: /api/trpc, /auth/verify and /metrics.
 * A header longer than any key Sidekey issues is refused unread.
 */
export function bearerToken(authorization: string | null | undefined): string | null {
  if (!authorization || authorization.length > 256) return null;
  const match = /^Bearer +(\S+)\s*$/i.exec(authorization);
  return match ? match[1]! : null;
}
