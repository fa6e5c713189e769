import { accounts, appPasswords, throttles } from '@sidekey/db';
import { eq, inArray, max, sql } from 'drizzle-orm';
import { parseAppPassword } from '../app-passwords/format.ts';
import { LOOKUP_HASH_PURPOSE } from '../app-passwords/app-passwords.ts';
import {
  applyCredentialEvent,
  toRecord,
  type AppPasswordRow,
} from '../app-passwords/transition.ts';
import { chooseEdge } from '@sidekey/lifecycle';
import { recordAudit } from '../audit.ts';
import type { Deps } from '../deps.ts';
import { normaliseEmail } from '../accounts/email.ts';
import { constantTimeEqual, keyedHash } from '../secrets/server-keys.ts';
import type { VerificationCache } from './cache.ts';
import { isProtocol, protocolScopes, type Protocol } from './protocols.ts';
import type { VerificationThrottles } from './throttle.ts';
import { networkOf } from './network.ts';
import type { UseTelemetry } from './use-telemetry.ts';
import type { ScopeRefusalNotices } from './refusal-notices.ts';

export interface VerifyInput {
  username: string;
  password: string;
  service: Protocol;
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
  /** `retryAfterSeconds` comes with `throttled`: when the caller may try again. */
  | { ok: false; reason: VerifyRefusal; retryAfterSeconds?: number };

const invalid: VerifyResult = { ok: false, reason: 'invalid' };

/** What a Sidekey adds around the bare path: its node cache and the shared throttles. */
export interface VerifyParts {
  cache?: VerificationCache;
  throttles?: VerificationThrottles;
  /** Where routine uses are buffered; without it they are written one by one. */
  uses?: UseTelemetry;
  /** Who tells the owner, at most daily, that a password was refused for a protocol. */
  refusals?: Pick<ScopeRefusalNotices, 'refused'>;
  onCacheHit?: () => void;
}

/**
 * The hot path: every IMAP/SMTP/DAV login of every app ends here. One indexed lookup
 * by keyed hash and a constant-time compare; no argon2 — at ≥128 bits a keyed hash is
 * what NIST SP 800-63B §5.1.1.2 and ASVS 5 ask for. Writes happen at once only on first
 * use, on the first use from a new network or for a new service, on expiry and on a scope
 * refusal; a routine use is buffered telemetry (`uses`), written coalesced every few seconds.
 *
 * Refusal reasons never tell an anonymous caller whether a user exists: an unknown
 * user, another account's password and a wrong password are all `invalid`; only a
 * caller holding the right secret can learn it was revoked or expired. `throttled` is
 * keyed by the username as typed (normalised), known or not, so it reveals nothing either.
 *
 * Throttle state is read in the same round trip as the credential, so a success costs
 * one query as before; failures are written after the answer is known (NIST SP 800-63B
 * §5.2.2). The throttle holds back failures only: the right secret verifies while its
 * username or address is throttled. A repeat of a recent success is answered from this
 * node's cache without the database.
 */
export async function verify(
  deps: Deps,
  input: VerifyInput,
  parts: VerifyParts = {},
): Promise<VerifyResult> {
  if (!isProtocol(input.service)) return invalid;
  const parsed = parseAppPassword(input.password);
  if (!parsed.ok) return invalid;
  const username = normaliseEmail(input.username);
  if (username === null) return invalid;

  const hashes = deps.keys.all.map((key) => keyedHash(key, LOOKUP_HASH_PURPOSE, parsed.canonical));
  const { cache, throttles: throttle } = parts;
  const at = deps.now();

  const network = networkOf(input.address);
  const cached = cache?.get(hashes[0]!);
  if (
    cached &&
    constantTimeEqual(cached.username, username) &&
    (!cached.expiresAt || cached.expiresAt > at) &&
    cached.scopes.includes(protocolScopes[input.service]) &&
    // A new network or service is audited, which needs the database.
    (!network || cached.knownNetworks.includes(network)) &&
    cached.knownServices.includes(input.service)
  ) {
    parts.onCacheHit?.();
    parts.uses?.record(cached.credentialId, at, input.service, input.address ?? null);
    return {
      ok: true,
      accountId: cached.accountId,
      credentialId: cached.credentialId,
      username: cached.username,
      scopes: cached.scopes,
    };
  }
  void cache?.start();

  const throttleKeys = throttle
    ? { account: throttle.accountKey(username), address: throttle.addressKey(input.address) }
    : null;
  const found = await lookUp(deps, hashes, throttleKeys);
  // Throttling slows guessing (NIST SP 800-63B §5.2.2); it must not lock out the holder of
  // a 128-bit secret, which nobody guesses online. So the right password verifies however
  // throttled its username or address is, and only a request that would fail is told
  // `throttled` — never revoked or expired, so a throttled caller probes nothing.
  const blockedUntil = found.blockedUntil && found.blockedUntil > at ? found.blockedUntil : null;
  const refuse = async (result: VerifyResult): Promise<VerifyResult> => {
    if (blockedUntil) {
      const retryAfterSeconds = Math.max(
        1,
        Math.ceil((blockedUntil.getTime() - at.getTime()) / 1000),
      );
      return { ok: false, reason: 'throttled', retryAfterSeconds };
    }
    if (throttle && throttleKeys) await throttle.recordFailure(throttleKeys, parsed.canonical);
    return result;
  };

  const { credential } = found;
  if (!credential) return refuse(invalid);
  const key = deps.keys.all.find((candidate) => candidate.id === credential.keyId);
  if (
    !key ||
    !constantTimeEqual(keyedHash(key, LOOKUP_HASH_PURPOSE, parsed.canonical), credential.lookupHash)
  ) {
    return refuse(invalid);
  }
  if (!found.email || !constantTimeEqual(found.email, username)) return refuse(invalid);

  const meta = {
    actor: 'service' as const,
    address: input.address ?? null,
    userAgent: input.userAgent ?? null,
    service: input.service,
  };
  if (credential.state === 'revoked')
    return refuse({
      ok: false,
      reason: credential.revokeReason === 'expired' ? 'expired' : 'revoked',
    });

  const use = { type: 'USE' as const, at: at.getTime(), network, service: input.service };
  // The machine's edge for this use, without building a snapshot: this runs on every login.
  // None: the machine refuses a USE at or after the expiry, and the credential expires. While
  // throttled the expiry is left for the next unthrottled attempt (or the owner's list) to
  // record: a throttled request writes nothing.
  const edge = chooseEdge(toRecord(credential), use);
  if (!edge) {
    if (!blockedUntil) {
      await deps.db.transaction((tx) =>
        applyCredentialEvent(tx, credential, { type: 'EXPIRE', at: at.getTime() }, meta),
      );
    }
    return refuse({ ok: false, reason: 'expired' });
  }

  const needed = protocolScopes[input.service];
  if (!credential.scopes.includes(needed)) {
    // The owner sees the attempt in their activity: a password used where it was not meant
    // to be. Not a guess (only the secret's holder gets here), so neither counted nor
    // hidden behind `throttled`.
    await recordAudit(deps.db, {
      ...meta,
      accountId: credential.accountId,
      credentialId: credential.id,
      action: 'scope_denied',
      details: { needed },
    });
    parts.refusals?.refused({
      accountId: credential.accountId,
      credentialId: credential.id,
      label: credential.label,
      service: input.service,
      at,
      address: meta.address,
      userAgent: meta.userAgent,
    });
    return { ok: false, reason: 'scope_denied' };
  }

  let known: AppPasswordRow | null = credential;
  if (!edge.audited && parts.uses) {
    // A routine use: telemetry, buffered and written coalesced with the node's others.
    parts.uses.record(credential.id, at, input.service, input.address ?? null);
  } else {
    const outcome = await applyCredentialEvent(deps.db, credential, use, meta);
    if (!outcome.applied) {
      // Lost a race with another transition; re-read so a revocation that just committed wins.
      const [fresh] = await deps.db
        .select({ state: appPasswords.state })
        .from(appPasswords)
        .where(eq(appPasswords.id, credential.id));
      if (fresh?.state === 'revoked') return { ok: false, reason: 'revoked' };
      known = null;
    } else known = outcome.row;
  }
  if (throttle && throttleKeys && found.usernameHasFailures) {
    await throttle.recordSuccess(throttleKeys.account);
  }
  // Cached under the current key's hash only: that is the one the next lookup computes first.
  if (known) {
    cache?.set(hashes[0]!, {
      credentialId: credential.id,
      accountId: credential.accountId,
      username: found.email,
      scopes: credential.scopes,
      expiresAt: credential.expiresAt,
      knownNetworks: known.knownNetworks,
      knownServices: known.knownServices,
    });
  }
  return {
    ok: true,
    accountId: credential.accountId,
    credentialId: credential.id,
    username: found.email,
    scopes: credential.scopes,
  };
}

/**
 * One round trip: the throttle state of the username and address (an aggregate, so
 * always exactly one row) left-joined to the credential the hashes name, if any.
 */
async function lookUp(
  deps: Deps,
  hashes: string[],
  throttleKeys: { account: string; address: string | null } | null,
) {
  const params: Record<string, string> = {
    account: throttleKeys?.account ?? '',
    address: throttleKeys?.address ?? '',
  };
  hashes.forEach((hash, i) => (params[`hash${i}`] = hash));
  const [row] = await lookUpStatement(deps.db, hashes.length).execute(params);
  const blocked = row?.blockedUntil as Date | string | null | undefined;
  return {
    credential: row?.credential ?? null,
    email: row?.email ?? null,
    blockedUntil: blocked ? new Date(blocked) : null,
    usernameHasFailures: Number(row?.usernameFailureRows ?? 0) > 0,
  };
}

/**
 * The lookup as a named prepared statement, built once per database and number of
 * server keys: the database plans it once and Drizzle does not rebuild it per call.
 * Measured on Postgres: ~0.2 ms against ~0.8 ms built and planned each time.
 */
const lookUpStatements = new WeakMap<Deps['db'], Map<number, ReturnType<typeof prepareLookUp>>>();

function lookUpStatement(db: Deps['db'], keyCount: number) {
  let byKeyCount = lookUpStatements.get(db);
  if (!byKeyCount) lookUpStatements.set(db, (byKeyCount = new Map()));
  let statement = byKeyCount.get(keyCount);
  if (!statement) byKeyCount.set(keyCount, (statement = prepareLookUp(db, keyCount)));
  return statement;
}

function prepareLookUp(db: Deps['db'], keyCount: number) {
  const hashes = Array.from({ length: keyCount }, (_, i) => sql.placeholder(`hash${i}`));
  const state = db
    .select({
      blockedUntil: max(throttles.blockedUntil).as('blocked_until'),
      // Only the username's row asks for a reset on success: an address's count is not
      // cleared by one success, so counting it here would add a write to every login
      // from an address that once failed.
      usernameRows:
        sql<number>`count(*) filter (where ${throttles.key} = ${sql.placeholder('account')})`.as(
          'username_failure_rows',
        ),
    })
    .from(throttles)
    .where(inArray(throttles.key, [sql.placeholder('account'), sql.placeholder('address')]))
    .as('throttle_state');
  return db
    .select({
      credential: appPasswords,
      email: accounts.email,
      blockedUntil: state.blockedUntil,
      usernameFailureRows: state.usernameRows,
    })
    .from(state)
    .leftJoin(appPasswords, inArray(appPasswords.lookupHash, hashes))
    .leftJoin(accounts, eq(accounts.id, appPasswords.accountId))
    .prepare(`sidekey_verify_lookup_${keyCount}`);
}
