import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The server secret keys the lookup hashes of app passwords. Each key has an id
 * derived from it, stored beside every hash, so the secret can be rotated: new
 * credentials use the current key, old ones still verify under a previous key.
 */
export interface ServerKey {
  id: string;
  secret: string;
}

export interface ServerKeys {
  current: ServerKey;
  /** Newest first. */
  all: ServerKey[];
}

export const MIN_SECRET_LENGTH = 32;

export function serverKeys(currentSecret: string, previousSecrets: string[] = []): ServerKeys {
  const keys = [currentSecret, ...previousSecrets].map((secret) => {
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new Error(`A server secret must be at least ${MIN_SECRET_LENGTH} characters long.`);
    }
    return { id: keyId(secret), secret };
  });
  return { current: keys[0]!, all: keys };
}

function keyId(secret: string): string {
  return createHash('sha256')
    .update('sidekey key id\0')
    .update(secret)
    .digest('base64url')
    .slice(0, 8);
}

/** HMAC-SHA-256 of `value` under `key`, base64url. */
export function keyedHash(key: ServerKey, purpose: string, value: string): string {
  return createHmac('sha256', key.secret)
    .update(purpose)
    .update('\0')
    .update(value)
    .digest('base64url');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
