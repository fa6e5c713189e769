/** Longest address SMTP allows (RFC 5321 §4.5.3.1.3 path limit less the brackets). */
export const EMAIL_MAX_LENGTH = 254;

/**
 * Trimmed, lower-cased, one '@' with something either side. Lower-casing the local
 * part is technically lossy (RFC 5321) but what every user expects of a sign-in name.
 */
export function normaliseEmail(raw: string): string | null {
  const email = raw.normalize('NFC').trim().toLowerCase();
  if (email.length === 0 || email.length > EMAIL_MAX_LENGTH) return null;
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return null;
  return email;
}
