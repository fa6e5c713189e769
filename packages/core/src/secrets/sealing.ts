import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { ServerKey, ServerKeys } from './server-keys.ts';

/**
 * Secrets Sidekey must read back (the TOTP seed) are sealed with AES-256-GCM under a
 * key derived from the server secret with HKDF-SHA-256 (RFC 5869), one key per purpose.
 * The sealed text names the server key it was sealed under, so a rotated secret still
 * opens older values, and binds `context` (e.g. the account id) as additional data, so a
 * sealed value copied onto another row does not open.
 */
const VERSION = 's1';

function derive(key: ServerKey, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key.secret, 'sidekey seal', `sidekey:${purpose}`, 32));
}

export function seal(
  keys: ServerKeys,
  purpose: string,
  context: string,
  plain: Uint8Array,
): string {
  const key = keys.current;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', derive(key, purpose), iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, key.id, iv, body, tag]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** The plain bytes, or null when the value is not sealed by one of our keys or was altered. */
export function unseal(
  keys: ServerKeys,
  purpose: string,
  context: string,
  sealed: string,
): Uint8Array | null {
  const [version, keyId, iv, body, tag] = sealed.split('.');
  if (version !== VERSION || !iv || !body || !tag) return null;
  const key = keys.all.find((candidate) => candidate.id === keyId);
  if (!key) return null;
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      derive(key, purpose),
      Buffer.from(iv, 'base64url'),
    );
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return new Uint8Array(
      Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]),
    );
  } catch {
    return null;
  }
}
