import { randomBytes, randomInt } from 'node:crypto';

/**
 * `length` symbols drawn uniformly from `alphabet` with a CSPRNG. randomInt uses
 * rejection sampling, so there is no modulo bias whatever the alphabet's size.
 */
export function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** An opaque 256-bit token for cookies and links, base64url. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}
