import { recoveryCodes, type DbOrTx } from '@sidekey/db';
import { and, eq, isNull } from 'drizzle-orm';
import { hashSecret, verifySecret } from '../accounts/password-hashing.ts';
import { randomString } from '../secrets/random.ts';

export const RECOVERY_CODE_COUNT = 10;
/** Lower-case letters and digits without look-alikes (no 0/o, 1/l/i), as app passwords use. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
/** 12 symbols of 31 ≈ 59 bits: argon2id-hashed and single-use, ample for a code typed once. */
const GROUPS = 3;
const GROUP_LENGTH = 4;

export function newRecoveryCode(): string {
  return Array.from({ length: GROUPS }, () => randomString(ALPHABET, GROUP_LENGTH)).join('-');
}

/** Case, spaces and dashes do not matter when a code is typed back. */
export function normaliseRecoveryCode(raw: string): string | null {
  const compact = raw.toLowerCase().replace(/[\s-]/g, '');
  if (compact.length !== GROUPS * GROUP_LENGTH) return null;
  if ([...compact].some((symbol) => !ALPHABET.includes(symbol))) return null;
  return compact;
}

/** Ten fresh codes replace any earlier ones; returns them in clear, the only time they exist so. */
export async function replaceRecoveryCodes(
  tx: DbOrTx,
  accountId: string,
  hashed: Array<{ code: string; hash: string }>,
): Promise<string[]> {
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.accountId, accountId));
  await tx.insert(recoveryCodes).values(hashed.map(({ hash }) => ({ accountId, codeHash: hash })));
  return hashed.map(({ code }) => code);
}

/** Generated and argon2id-hashed outside any transaction (hashing ten takes a moment). */
export async function hashNewRecoveryCodes(): Promise<Array<{ code: string; hash: string }>> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  return Promise.all(
    codes.map(async (code) => ({ code, hash: await hashSecret(normaliseRecoveryCode(code)!) })),
  );
}

/**
 * Uses one recovery code: true when `raw` matches an unused code of the account and this
 * call is the one that marked it used (a guarded UPDATE … WHERE used_at IS NULL), so two
 * concurrent uses of one code cannot both succeed.
 */
export async function consumeRecoveryCode(
  db: DbOrTx,
  accountId: string,
  raw: string,
  at: Date,
): Promise<boolean> {
  const code = normaliseRecoveryCode(raw);
  if (!code) return false;
  const unused = await db
    .select()
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.accountId, accountId), isNull(recoveryCodes.usedAt)));
  for (const row of unused) {
    if (!(await verifySecret(row.codeHash, code))) continue;
    const [used] = await db
      .update(recoveryCodes)
      .set({ usedAt: at })
      .where(and(eq(recoveryCodes.id, row.id), isNull(recoveryCodes.usedAt)))
      .returning({ id: recoveryCodes.id });
    return used !== undefined;
  }
  return false;
}

export async function remainingRecoveryCodes(db: DbOrTx, accountId: string): Promise<number> {
  return db.$count(
    recoveryCodes,
    and(eq(recoveryCodes.accountId, accountId), isNull(recoveryCodes.usedAt)),
  );
}
