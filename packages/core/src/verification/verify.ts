import { accounts, appPasswords } from '@sidekey/db';
import { eq, inArray } from 'drizzle-orm';
import { parseAppPassword } from '../app-passwords/format.ts';
import { LOOKUP_HASH_PURPOSE } from '../app-passwords/service.ts';
import { applyCredentialEvent, type AppPasswordRow } from '../app-passwords/transition.ts';
import { recordAudit } from '../audit.ts';
import type { Deps } from '../deps.ts';
import { normaliseEmail } from '../accounts/email.ts';
import { constantTimeEqual, keyedHash } from '../secrets/server-keys.ts';
import { isServiceName, serviceScopes, type ServiceName } from './services.ts';

export interface VerifyInput {
  username: string;
  password: string;
  service: ServiceName;
  address?: string | null;
  userAgent?: string | null;
}

export type VerifyRefusal = 'invalid' | 'revoked' | 'expired' | 'scope_denied' | 'throttled';

export type VerifyResult =
  | {
      ok: true;
      accountId: string;
      credentialId: string;
      username: string;
      scopes: AppPasswordRow['scopes'];
    }
  | { ok: false; reason: VerifyRefusal };

const invalid: VerifyResult = { ok: false, reason: 'invalid' };

/**
 * The hot path: every IMAP/SMTP/DAV login of every app ends here. One indexed lookup
 * by keyed hash and a constant-time compare; no argon2 — at ≥128 bits a keyed hash is
 * what NIST SP 800-63B §5.1.1.2 and ASVS 5 ask for. Writes happen only on first use,
 * at most once a minute after that, on expiry, and on a scope refusal.
 *
 * Refusal reasons never tell an anonymous caller whether a user exists: an unknown
 * user, another account's password and a wrong password are all `invalid`; only a
 * caller holding the right secret can learn it was revoked or expired.
 */
export async function verify(deps: Deps, input: VerifyInput): Promise<VerifyResult> {
  if (!isServiceName(input.service)) return invalid;
  const parsed = parseAppPassword(input.password);
  if (!parsed.ok) return invalid;
  const username = normaliseEmail(input.username);
  if (username === null) return invalid;

  const hashes = deps.keys.all.map((key) => keyedHash(key, LOOKUP_HASH_PURPOSE, parsed.canonical));
  const [found] = await deps.db
    .select({ credential: appPasswords, email: accounts.email })
    .from(appPasswords)
    .innerJoin(accounts, eq(accounts.id, appPasswords.accountId))
    .where(inArray(appPasswords.lookupHash, hashes));
  if (!found) return invalid;

  const { credential } = found;
  const key = deps.keys.all.find((candidate) => candidate.id === credential.keyId);
  if (
    !key ||
    !constantTimeEqual(keyedHash(key, LOOKUP_HASH_PURPOSE, parsed.canonical), credential.lookupHash)
  ) {
    return invalid;
  }
  if (!constantTimeEqual(found.email, username)) return invalid;

  const meta = {
    actor: 'service' as const,
    address: input.address ?? null,
    userAgent: input.userAgent ?? null,
    service: input.service,
  };
  if (credential.state === 'revoked')
    return { ok: false, reason: credential.revokeReason === 'expired' ? 'expired' : 'revoked' };

  const at = deps.now();
  if (credential.expiresAt && credential.expiresAt <= at) {
    await deps.db.transaction((tx) =>
      applyCredentialEvent(tx, credential, { type: 'EXPIRE', at: at.getTime() }, meta),
    );
    return { ok: false, reason: 'expired' };
  }

  const needed = serviceScopes[input.service];
  if (!credential.scopes.includes(needed)) {
    // The owner sees the attempt in their activity: a password used where it was not meant to be.
    await recordAudit(deps.db, {
      ...meta,
      accountId: credential.accountId,
      credentialId: credential.id,
      action: 'scope_denied',
      details: { needed },
    });
    return { ok: false, reason: 'scope_denied' };
  }

  const outcome = await applyCredentialEvent(
    deps.db,
    credential,
    { type: 'USE', at: at.getTime() },
    meta,
  );
  if (!outcome.applied) {
    // Lost a race with another transition; re-read so a revocation that just committed wins.
    const [fresh] = await deps.db
      .select({ state: appPasswords.state })
      .from(appPasswords)
      .where(eq(appPasswords.id, credential.id));
    if (fresh?.state === 'revoked') return { ok: false, reason: 'revoked' };
  }
  return {
    ok: true,
    accountId: credential.accountId,
    credentialId: credential.id,
    username: found.email,
    scopes: credential.scopes,
  };
}
