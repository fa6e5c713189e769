import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';
import pLimit from 'p-limit';
import { SidekeyError } from '../errors.ts';

/**
 * argon2id at OWASP's minimum (m=19 MiB, t=2, p=1) for primary passwords and
 * recovery codes: secrets a person chose or must copy, so slow hashing is the defence.
 * App passwords never come here (see verification/verify.ts).
 */
export const ARGON2_OPTIONS: Options = {
  algorithm: 2 as Algorithm, // Argon2id (a const enum in the typings, so its value is spelled out)
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

/**
 * Bounded work per node: at most this many argon2id computations run at once (each
 * takes a core and 19 MiB), and at most `HASHING_QUEUE_LIMIT` wait. Past that the
 * caller is refused at once with 503 and Retry-After, instead of every sign-in on the
 * node waiting behind a flood.
 */
export const HASHING_CONCURRENCY = 2;
export const HASHING_QUEUE_LIMIT = 32;

let limit = pLimit(HASHING_CONCURRENCY);
let queueLimit = HASHING_QUEUE_LIMIT;

/** How many argon2id computations ran in this process (tests count evaluations with it). */
export const hashingStats = { hashes: 0, verifications: 0 };

/** Tests only: a different limit (a queue of 0 refuses whenever all workers are busy). */
export function configureHashing(options: { concurrency?: number; queueLimit?: number }): void {
  limit = pLimit(options.concurrency ?? HASHING_CONCURRENCY);
  queueLimit = options.queueLimit ?? HASHING_QUEUE_LIMIT;
}

export const hashingBusy = () =>
  new SidekeyError(
    'SERVICE_UNAVAILABLE',
    'Sidekey is busy right now. Please try again in a moment.',
    'busy',
    1,
  );

/** Runs `work` under the node's hashing limit, or refuses at once when the queue is full. */
function limited<T>(work: () => Promise<T>): Promise<T> {
  // Counted together: a call joins the queue at once but becomes active a tick later.
  if (limit.activeCount + limit.pendingCount >= limit.concurrency + queueLimit) {
    return Promise.reject(hashingBusy());
  }
  return limit(work);
}

export function hashSecret(secret: string): Promise<string> {
  return limited(() => {
    hashingStats.hashes++;
    return hash(secret, ARGON2_OPTIONS);
  });
}

export async function verifySecret(storedHash: string, secret: string): Promise<boolean> {
  return limited(async () => {
    hashingStats.verifications++;
    try {
      return await verify(storedHash, secret);
    } catch {
      return false;
    }
  });
}

let dummyHash: Promise<string> | undefined;
/**
 * Unknown account and wrong password must take the same time: when there is no
 * account, verify against a hash of nothing instead of returning early.
 */
export async function burnEquivalentTime(secret: string): Promise<false> {
  dummyHash ??= hash('sidekey: no such account', ARGON2_OPTIONS);
  await verifySecret(await dummyHash, secret);
  return false;
}
