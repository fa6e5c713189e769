import { accounts, appPasswords, connectRequests, LABEL_MAX_LENGTH } from '@sidekey/db';
import { and, count, eq, gt, inArray, isNull, lt, lte, ne, or, sql } from 'drizzle-orm';
import type { AppPasswordScope, GenerateInput } from '../app-passwords/app-passwords.ts';
import {
  APP_PASSWORD_SCOPES,
  DEFAULT_SCOPES,
  normaliseLabel,
  refuseLabelClash,
} from '../app-passwords/app-passwords.ts';
import type { AppPasswordSummary } from '../app-passwords/app-passwords.ts';
import { recordAudit } from '../audit.ts';
import type { ActorMeta, Deps } from '../deps.ts';
import { SidekeyError } from '../errors.ts';
import { randomToken } from '../secrets/random.ts';
import { seal, unseal } from '../secrets/sealing.ts';
import { sha256 } from '../secrets/server-keys.ts';
import { createThrottle, reserveAttempt, type ThrottlePolicy } from '../throttle/throttle.ts';
import { formatUserCode, generateUserCode, normaliseUserCode } from './user-code.ts';

/** Long enough to find the browser, sign in with two-factor and approve; no longer. */
export const CONNECT_REQUEST_TTL_MS = 10 * 60_000;
/** RFC 8628's default polling interval; each poll too early adds 5 s (§3.5). */
export const CONNECT_POLL_INTERVAL_SECONDS = 5;
const SLOW_DOWN_STEP_SECONDS = 5;
const MAX_INTERVAL_SECONDS = 60;
/** A poll this much early still counts as on time: clocks and networks jitter. */
const POLL_GRACE_MS = 1_000;
/** Pending requests one address may hold at once: an app needs one, a household a few. */
export const MAX_PENDING_PER_ADDRESS = 10;
/** Pending requests in all: whatever the addresses, the table stays small. */
export const MAX_PENDING_TOTAL = 10_000;
export const CLIENT_NAME_MAX_LENGTH = 64;
const USER_AGENT_KEPT_LENGTH = 256;
const PURPOSE = 'connect-request';
const POLL_TOKEN = /^[\w-]{43}$/;

/**
 * Guessing user codes, per account: a few typos free, then delays doubling from 1 s to
 * 15 min. A success clears it.
 */
export const USER_CODE_ACCOUNT_POLICY: ThrottlePolicy = {
  freeFailures: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
};

/** Per address, across accounts; never cleared by a success (an attacker owns accounts too). */
export const USER_CODE_ADDRESS_POLICY: ThrottlePolicy = {
  freeFailures: 20,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
  successClears: false,
};

export interface StartInput {
  clientName: string;
  scopes?: AppPasswordScope[];
}

export interface StartedRequest {
  /** The poll token (RFC 8628's device_code): 256 bits, only its hash is kept. */
  deviceCode: string;
  /** XXXX-XXXX */
  userCode: string;
  expiresAt: Date;
  intervalSeconds: number;
}

/** What the owner is shown before approving. */
export interface PendingRequest {
  userCode: string;
  clientName: string;
  userAgent: string | null;
  requestedScopes: AppPasswordScope[];
  expiresAt: Date;
}

export type PollOutcome =
  | { status: 'pending'; intervalSeconds: number }
  | { status: 'slow_down'; intervalSeconds: number }
  | { status: 'denied' }
  | { status: 'expired' }
  | {
      status: 'approved';
      username: string;
      appPassword: string;
      label: string;
      scopes: AppPasswordScope[];
    };

type Generate = (
  accountId: string,
  input: GenerateInput,
  meta: ActorMeta,
) => Promise<AppPasswordSummary & { password: string }>;

interface Parts {
  /** Core's one way to make an app password: two-factor, the limit of 25, audit, lifecycle. */
  generate: Generate;
  /** Counts one public request from an address (the shared per-address request throttle). */
  reserveRequest: (address: string | null | undefined) => Promise<unknown>;
}

/**
 * The login flow (Nextcloud's Login Flow v2, shaped on RFC 8628's device authorization):
 * an app starts a request and polls with its token; the owner, signed in, finds it by its
 * user code and approves or denies it; the app collects the password exactly once.
 */
export function connectRequestService(deps: Deps, parts: Parts) {
  const { db, now } = deps;
  const byAccount = createThrottle(deps, USER_CODE_ACCOUNT_POLICY);
  const byAddress = createThrottle(deps, USER_CODE_ADDRESS_POLICY);

  async function start(input: StartInput, meta: ActorMeta): Promise<StartedRequest> {
    const clientName = normaliseClientName(input.clientName);
    const scopes = requestedScopes(input.scopes);
    // Counted before any work, refused with a wait once an address asks too often.
    await parts.reserveRequest(meta.address);
    const at = now();
    const address = meta.address ?? null;
    for (let attempt = 0; ; attempt++) {
      const deviceCode = randomToken();
      const userCode = generateUserCode();
      try {
        await db.transaction(async (tx) => {
          // One address at a time, so concurrent starts cannot slip past the cap together.
          await tx.execute(
            sql`select pg_advisory_xact_lock(hashtext(${`connect-request:${address ?? ''}`}))`,
          );
          // Whatever expired is gone before it is counted (and its code is free again).
          await tx.delete(connectRequests).where(lte(connectRequests.expiresAt, at));
          const live = gt(connectRequests.expiresAt, at);
          const [mine] = await tx
            .select({ n: count() })
            .from(connectRequests)
            .where(
              and(
                address === null
                  ? isNull(connectRequests.address)
                  : eq(connectRequests.address, address),
                live,
              ),
            );
          if ((mine?.n ?? 0) >= MAX_PENDING_PER_ADDRESS) throw tooMany();
          const [all] = await tx.select({ n: count() }).from(connectRequests).where(live);
          if ((all?.n ?? 0) >= MAX_PENDING_TOTAL) throw tooMany();
          await tx.insert(connectRequests).values({
            id: sha256(deviceCode),
            userCode,
            clientName,
            userAgent: meta.userAgent?.slice(0, USER_AGENT_KEPT_LENGTH) ?? null,
            requestedScopes: scopes,
            address,
            intervalSeconds: CONNECT_POLL_INTERVAL_SECONDS,
            createdAt: at,
            expiresAt: new Date(at.getTime() + CONNECT_REQUEST_TTL_MS),
          });
        });
      } catch (error) {
        // Two live requests drew the same user code (1 in 2^34): draw again.
        if (attempt < 3 && isUniqueViolation(error)) continue;
        throw error;
      }
      deps.log.info({ clientName, address }, 'connect request started');
      return {
        deviceCode,
        userCode: formatUserCode(userCode),
        expiresAt: new Date(at.getTime() + CONNECT_REQUEST_TTL_MS),
        intervalSeconds: CONNECT_POLL_INTERVAL_SECONDS,
      };
    }
  }

  /**
   * The app's poll. Approval and denial are told once: the row is deleted by the poll
   * that tells it (DELETE … RETURNING, so of many concurrent polls exactly one wins), and
   * every later poll hears `expired`, as does an unknown or expired token.
   */
  async function poll(deviceCode: string, meta: ActorMeta): Promise<PollOutcome> {
    if (!POLL_TOKEN.test(deviceCode)) return { status: 'expired' };
    const id = sha256(deviceCode);
    const at = now();
    const [row] = await db.select().from(connectRequests).where(eq(connectRequests.id, id));
    if (!row) return { status: 'expired' };
    if (row.expiresAt.getTime() <= at.getTime()) {
      await db.delete(connectRequests).where(eq(connectRequests.id, id));
      return { status: 'expired' };
    }
    if (row.state === 'approved') return deliver(id, meta);
    if (row.state === 'denied') {
      const [told] = await db
        .delete(connectRequests)
        .where(and(eq(connectRequests.id, id), eq(connectRequests.state, 'denied')))
        .returning({ id: connectRequests.id });
      return told ? { status: 'denied' } : { status: 'expired' };
    }
    return pace(id, at);
  }

  /** RFC 8628 §3.5: a poll before the interval has passed is answered slow_down, +5 s. */
  async function pace(id: string, at: Date): Promise<PollOutcome> {
    const stamp = at.toISOString();
    const [onTime] = await db
      .update(connectRequests)
      .set({ lastPolledAt: at })
      .where(
        and(
          eq(connectRequests.id, id),
          or(
            isNull(connectRequests.lastPolledAt),
            sql`${connectRequests.lastPolledAt} <= ${stamp}::timestamptz - make_interval(secs => ${connectRequests.intervalSeconds}) + make_interval(secs => ${POLL_GRACE_MS / 1000})`,
          ),
        ),
      )
      .returning({ intervalSeconds: connectRequests.intervalSeconds });
    if (onTime) return { status: 'pending', intervalSeconds: onTime.intervalSeconds };
    const [early] = await db
      .update(connectRequests)
      .set({
        lastPolledAt: at,
        intervalSeconds: sql`least(${connectRequests.intervalSeconds} + ${SLOW_DOWN_STEP_SECONDS}, ${MAX_INTERVAL_SECONDS})`,
      })
      .where(eq(connectRequests.id, id))
      .returning({ intervalSeconds: connectRequests.intervalSeconds });
    return early
      ? { status: 'slow_down', intervalSeconds: early.intervalSeconds }
      : { status: 'expired' };
  }

  async function deliver(id: string, meta: ActorMeta): Promise<PollOutcome> {
    const [taken] = await db
      .delete(connectRequests)
      .where(and(eq(connectRequests.id, id), eq(connectRequests.state, 'approved')))
      .returning();
    if (!taken?.credentialId || !taken.accountId || !taken.passwordSealed) {
      return { status: 'expired' };
    }
    // Collected: the password now lives like any other, without the request's expiry. Not
    // a state change (the lifecycle's trigger is not involved), and never on a revoked one.
    const [credential] = await db
      .update(appPasswords)
      .set({ expiresAt: null })
      .where(
        and(
          eq(appPasswords.id, taken.credentialId),
          eq(appPasswords.accountId, taken.accountId),
          ne(appPasswords.state, 'revoked'),
        ),
      )
      .returning({ label: appPasswords.label, scopes: appPasswords.scopes });
    // Revoked between approval and collection: the owner changed their mind.
    if (!credential) return { status: 'denied' };
    const [account] = await db
      .select({ email: accounts.email })
      .from(accounts)
      .where(eq(accounts.id, taken.accountId));
    if (!account) return { status: 'expired' };
    const plain = unseal(deps.keys, PURPOSE, id, taken.passwordSealed);
    if (!plain) return { status: 'expired' };
    await recordAudit(db, {
      actor: 'anonymous',
      address: meta.address,
      userAgent: meta.userAgent,
      accountId: taken.accountId,
      credentialId: taken.credentialId,
      action: 'connect_request_collected',
      details: { clientName: taken.clientName },
    });
    deps.log.info(
      { accountId: taken.accountId, credentialId: taken.credentialId },
      'connect request collected',
    );
    return {
      status: 'approved',
      username: account.email,
      appPassword: new TextDecoder().decode(plain),
      label: credential.label,
      scopes: credential.scopes,
    };
  }

  /**
   * Finds a pending request by the code the owner typed. Each lookup is reserved against
   * the account and the address before the code is looked at (see reserveAttempt), so
   * guessing is slowed whatever the concurrency; a code that names no pending request is
   * a failed guess, whether it never existed, expired or was already decided.
   */
  async function findForOwner(
    accountId: string,
    typed: string,
    meta: ActorMeta,
  ): Promise<typeof connectRequests.$inferSelect> {
    const code = normaliseUserCode(typed);
    if (!code) {
      throw new SidekeyError(
        'BAD_REQUEST',
        'A code is 8 letters, such as BCDF-GHJK, as the app shows it.',
        'invalid_code',
      );
    }
    const subjects = [byAccount.subject(`connect-code:account:${accountId}`)];
    if (meta.address) subjects.push(byAddress.subject(`connect-code:address:${meta.address}`));
    const attempt = await reserveAttempt(deps, subjects, 'entering codes');
    const [row] = await db
      .select()
      .from(connectRequests)
      .where(
        and(
          eq(connectRequests.userCode, code),
          eq(connectRequests.state, 'pending'),
          gt(connectRequests.expiresAt, now()),
        ),
      );
    if (!row) {
      await attempt.failed(code);
      throw new SidekeyError(
        'NOT_FOUND',
        'No app is waiting for this code. Check it against the one the app shows; a code works for 10 minutes and once.',
        'unknown_code',
      );
    }
    await attempt.succeeded();
    return row;
  }

  async function describe(accountId: string, typed: string, meta: ActorMeta) {
    return toPending(await findForOwner(accountId, typed, meta));
  }

  /**
   * Approves with the label and scopes the owner chose. The request is claimed first
   * (pending → approving, one winner), so a code is never approved twice; the password is
   * then made by core's normal generate, and sealed onto the request for the app.
   */
  async function approve(
    accountId: string,
    typed: string,
    choice: { label: string; scopes: AppPasswordScope[] },
    meta: ActorMeta,
  ): Promise<AppPasswordSummary & { clientName: string }> {
    const found = await findForOwner(accountId, typed, meta);
    const label = normaliseLabel(choice.label);
    await refuseLabelClash(db, accountId, label);
    const [claimed] = await db
      .update(connectRequests)
      .set({ state: 'approving', accountId })
      .where(
        and(
          eq(connectRequests.id, found.id),
          eq(connectRequests.state, 'pending'),
          gt(connectRequests.expiresAt, now()),
        ),
      )
      .returning();
    if (!claimed) throw alreadyDecided();
    let generated;
    try {
      // It expires with the request unless the app collects it: a password nobody received
      // must not linger (the normal EXPIRE revokes it); collection lifts the expiry.
      generated = await parts.generate(
        accountId,
        { label, scopes: choice.scopes, expiresAt: found.expiresAt },
        meta,
      );
    } catch (error) {
      // Refused (limit of 25, two-factor off, a bad label): the app may still be approved.
      await db
        .update(connectRequests)
        .set({ state: 'pending', accountId: null })
        .where(and(eq(connectRequests.id, found.id), eq(connectRequests.state, 'approving')));
      throw error;
    }
    const { password, ...summary } = generated;
    await db.transaction(async (tx) => {
      await tx
        .update(connectRequests)
        .set({
          state: 'approved',
          credentialId: summary.id,
          passwordSealed: seal(deps.keys, PURPOSE, found.id, new TextEncoder().encode(password)),
        })
        .where(and(eq(connectRequests.id, found.id), eq(connectRequests.state, 'approving')));
      await recordAudit(tx, {
        ...meta,
        accountId,
        credentialId: summary.id,
        action: 'connect_request_approved',
        details: { clientName: found.clientName, label: summary.label, scopes: summary.scopes },
      });
    });
    deps.log.info({ accountId, credentialId: summary.id }, 'connect request approved');
    return { ...summary, clientName: found.clientName };
  }

  async function deny(accountId: string, typed: string, meta: ActorMeta) {
    const found = await findForOwner(accountId, typed, meta);
    const denied = await db.transaction(async (tx) => {
      const [row] = await tx
        .update(connectRequests)
        .set({ state: 'denied', accountId })
        .where(and(eq(connectRequests.id, found.id), eq(connectRequests.state, 'pending')))
        .returning({ id: connectRequests.id });
      if (!row) return false;
      await recordAudit(tx, {
        ...meta,
        accountId,
        action: 'connect_request_denied',
        details: { clientName: found.clientName },
      });
      return true;
    });
    if (!denied) throw alreadyDecided();
    return { clientName: found.clientName };
  }

  /** Deletes expired requests, with any password still waiting in them (housekeeping). */
  async function pruneExpired(): Promise<number> {
    const removed = await db
      .delete(connectRequests)
      .where(lt(connectRequests.expiresAt, now()))
      .returning({ id: connectRequests.id });
    return removed.length;
  }

  /** Pending requests an address holds now (tests, and the cap). */
  async function pendingFrom(address: string): Promise<number> {
    return db.$count(
      connectRequests,
      and(
        eq(connectRequests.address, address),
        gt(connectRequests.expiresAt, now()),
        inArray(connectRequests.state, ['pending', 'approving']),
      ),
    );
  }

  return { start, poll, describe, approve, deny, pruneExpired, pendingFrom };
}

export type ConnectRequestService = ReturnType<typeof connectRequestService>;

function toPending(row: typeof connectRequests.$inferSelect): PendingRequest {
  return {
    userCode: formatUserCode(row.userCode),
    clientName: row.clientName,
    userAgent: row.userAgent,
    requestedScopes: row.requestedScopes,
    expiresAt: row.expiresAt,
  };
}

/**
 * The app's own name, shown to the owner: bounded, on one line, and without the invisible
 * characters that could make it read as another app's (Unicode TR #36).
 */
function normaliseClientName(raw: string): string {
  const name = raw.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (name.length === 0) {
    throw new SidekeyError('BAD_REQUEST', 'Name the app in “client_name”.', 'invalid_client_name');
  }
  if (name.length > CLIENT_NAME_MAX_LENGTH) {
    throw new SidekeyError(
      'BAD_REQUEST',
      `“client_name” can be at most ${CLIENT_NAME_MAX_LENGTH} characters.`,
      'invalid_client_name',
    );
  }
  if (/[\p{Cc}\p{Cf}]/u.test(name)) {
    throw new SidekeyError(
      'BAD_REQUEST',
      '“client_name” cannot contain control or invisible formatting characters.',
      'invalid_client_name',
    );
  }
  return name.slice(0, LABEL_MAX_LENGTH);
}

/** What the app asks for, or the usual three when it does not say; never an unknown scope. */
function requestedScopes(scopes: AppPasswordScope[] | undefined): AppPasswordScope[] {
  if (!scopes?.length) return [...DEFAULT_SCOPES];
  const unknown = scopes.filter((scope) => !APP_PASSWORD_SCOPES.includes(scope));
  if (unknown.length > 0) {
    throw new SidekeyError(
      'BAD_REQUEST',
      'Scopes are mail, contacts, calendars or files.',
      'invalid_scopes',
    );
  }
  return [...new Set(scopes)];
}

function tooMany(): SidekeyError {
  return new SidekeyError(
    'TOO_MANY_REQUESTS',
    'Too many connect requests are waiting. Finish or let one expire, then try again.',
    'too_many_pending',
    60,
  );
}

function alreadyDecided(): SidekeyError {
  return new SidekeyError(
    'CONFLICT',
    'This request was already approved or denied.',
    'already_decided',
  );
}

function isUniqueViolation(error: unknown): boolean {
  for (let cause = error; cause; cause = (cause as { cause?: unknown }).cause) {
    if ((cause as { code?: unknown }).code === '23505') return true;
  }
  return false;
}
