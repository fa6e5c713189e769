import { createHash } from 'node:crypto';
import { randomString } from '../secrets/random.ts';

/**
 * What an app password looks like:  skap-7hq2m-x9kfa-…-(checksum)
 *
 * - 26 random symbols from a 31-letter alphabet: 26·log2(31) ≈ 128.8 bits (at least 128: beyond online guessing, NIST SP 800-63B §5.1.1.2).
 * - Lower-case letters and digits without look-alikes (no 0/o, 1/l/i), so it is typeable
 *   on a phone and readable aloud.
 * - The `skap` prefix lets secret scanners recognise a leaked one.
 * - 4 checksum symbols (≈20 bits): a typo or garbage is refused before any database work.
 * - Shown in dash-separated groups of five; input is normalised (case, dashes, spaces).
 */
export const APP_PASSWORD_PREFIX = 'skap';
export const APP_PASSWORD_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const BODY_LENGTH = 26;
const CHECKSUM_LENGTH = 4;
const CANONICAL_LENGTH = BODY_LENGTH + CHECKSUM_LENGTH;
const GROUP = 5;
/** Longer input cannot be an app password; refuse it before normalising it. */
const MAX_INPUT_LENGTH = 128;

export const APP_PASSWORD_ENTROPY_BITS = BODY_LENGTH * Math.log2(APP_PASSWORD_ALPHABET.length);

export interface GeneratedAppPassword {
  /** What the owner sees and types: prefix and dash-separated groups. */
  display: string;
  /** What is hashed: the normalised form without prefix or dashes. */
  canonical: string;
}

export function generateAppPassword(): GeneratedAppPassword {
  const body = randomString(APP_PASSWORD_ALPHABET, BODY_LENGTH);
  const canonical = body + checksum(body);
  return { display: toDisplay(canonical), canonical };
}

export type ParsedAppPassword =
  { ok: true; canonical: string } | { ok: false; problem: 'malformed' | 'checksum' };

/** Normalises what a person or an app typed and checks it without touching the database. */
export function parseAppPassword(input: string): ParsedAppPassword {
  if (input.length > MAX_INPUT_LENGTH) return { ok: false, problem: 'malformed' };
  let compact = input.toLowerCase().replace(/[\s-]+/g, '');
  if (
    compact.length === APP_PASSWORD_PREFIX.length + CANONICAL_LENGTH &&
    compact.startsWith(APP_PASSWORD_PREFIX)
  ) {
    compact = compact.slice(APP_PASSWORD_PREFIX.length);
  }
  if (compact.length !== CANONICAL_LENGTH) return { ok: false, problem: 'malformed' };
  for (const symbol of compact) {
    if (!APP_PASSWORD_ALPHABET.includes(symbol)) return { ok: false, problem: 'malformed' };
  }
  const body = compact.slice(0, BODY_LENGTH);
  if (compact.slice(BODY_LENGTH) !== checksum(body)) return { ok: false, problem: 'checksum' };
  return { ok: true, canonical: compact };
}

/** Fingerprint for secret scanners: does this text look like one of ours? */
export const APP_PASSWORD_PATTERN = new RegExp(
  `\\b${APP_PASSWORD_PREFIX}(?:-[${APP_PASSWORD_ALPHABET}]{${GROUP}}){${CANONICAL_LENGTH / GROUP}}\\b`,
);

function checksum(body: string): string {
  let value = createHash('sha256')
    .update(APP_PASSWORD_PREFIX)
    .update(body)
    .digest()
    .readUInt32BE(0);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out += APP_PASSWORD_ALPHABET[value % APP_PASSWORD_ALPHABET.length];
    value = Math.floor(value / APP_PASSWORD_ALPHABET.length);
  }
  return out;
}

function toDisplay(canonical: string): string {
  const groups = canonical.match(new RegExp(`.{1,${GROUP}}`, 'g')) ?? [];
  return [APP_PASSWORD_PREFIX, ...groups].join('-');
}
