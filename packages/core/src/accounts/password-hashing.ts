import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';

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

export function hashSecret(secret: string): Promise<string> {
  return hash(secret, ARGON2_OPTIONS);
}

export async function verifySecret(storedHash: string, secret: string): Promise<boolean> {
  try {
    return await verify(storedHash, secret);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;
/**
 * Unknown account and wrong password must take the same time: when there is no
 * account, verify against a hash of nothing instead of returning early.
 */
export async function burnEquivalentTime(secret: string): Promise<false> {
  dummyHash ??= hashSecret('sidekey: no such account');
  await verifySecret(await dummyHash, secret);
  return false;
}
