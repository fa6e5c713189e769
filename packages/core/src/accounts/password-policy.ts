import { SidekeyError } from '../errors.ts';
import { COMMON_PASSWORDS_TEXT } from './common-passwords.ts';

/** NIST SP 800-63B §3.1.1.2: length over composition rules; long passphrases welcome. */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

const commonPasswords = new Set(
  COMMON_PASSWORDS_TEXT.split('\n')
    .map((line) => line.trim())
    .filter(Boolean),
);

const weak = (message: string) => new SidekeyError('BAD_REQUEST', message, 'weak_password');

/**
 * NIST SP 800-63B §3.1.1.2 (and §5.1.1.2 of the 2017 edition): a minimum length, no
 * composition rules, and a refusal of passwords known to be common, repetitive or
 * specific to the context (the service's name, the user's own email).
 */
export function assertAcceptablePassword(password: string, context: { email?: string } = {}): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    throw weak(`Choose a password of at least ${PASSWORD_MIN_LENGTH} characters.`);
  }
  if (length > PASSWORD_MAX_LENGTH) {
    throw new SidekeyError(
      'BAD_REQUEST',
      `A password can be at most ${PASSWORD_MAX_LENGTH} characters long.`,
      'invalid_password',
    );
  }
  const folded = password.normalize('NFKC').toLowerCase();
  if (commonPasswords.has(folded)) {
    throw weak('That password is one of the most common ones. Choose something less guessable.');
  }
  if (new Set(folded).size === 1) {
    throw weak('A password of one repeated character is easy to guess. Choose something else.');
  }
  const email = context.email?.toLowerCase();
  const contextWords = ['sidekey', email, email?.split('@')[0]].filter((word): word is string =>
    Boolean(word),
  );
  if (contextWords.some((word) => folded === word || folded.replace(/\d+$/, '') === word)) {
    throw weak('Your password cannot be your email address or the name of this service.');
  }
}
