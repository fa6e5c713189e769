import { SidekeyError } from '../errors.ts';

/** NIST SP 800-63B §3.1.1.2: length over composition rules; long passphrases welcome. */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

export function assertAcceptablePassword(password: string): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    throw new SidekeyError(
      'BAD_REQUEST',
      `Choose a password of at least ${PASSWORD_MIN_LENGTH} characters.`,
      'weak_password',
    );
  }
  if (length > PASSWORD_MAX_LENGTH) {
    throw new SidekeyError(
      'BAD_REQUEST',
      `A password can be at most ${PASSWORD_MAX_LENGTH} characters long.`,
      'invalid_password',
    );
  }
}
