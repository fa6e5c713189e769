import { randomString } from '../secrets/random.ts';

/**
 * The code an owner types (or only compares, when the link carried it): 8 symbols from
 * RFC 8628 §6.1's 20 consonants, so it holds no vowel to spell a word with and none of
 * the look-alikes (0/O, 1/I/L, 5/S are all absent or kept apart). 20^8 ≈ 2^34.6; with
 * guesses throttled per account and address and a 10-minute life, that is plenty.
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;

export function generateUserCode(): string {
  return randomString(USER_CODE_ALPHABET, USER_CODE_LENGTH);
}

/** Shown as XXXX-XXXX: two halves are easier to read out and compare. */
export function formatUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * What the owner typed, as stored: case, dashes and spaces do not matter. Null when it
 * cannot be a code at all (a typo, not a guess: it is refused without being counted).
 */
export function normaliseUserCode(typed: string): string | null {
  const code = typed.toUpperCase().replace(/[\s-]+/g, '');
  if (code.length !== USER_CODE_LENGTH) return null;
  for (const symbol of code) if (!USER_CODE_ALPHABET.includes(symbol)) return null;
  return code;
}
