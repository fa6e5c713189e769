import { accounts, sessions, type DbOrTx } from '@sidekey/db';
import { and, desc, eq, gt, ne } from 'drizzle-orm';
import { recordAudit } from '../audit.ts';
import type { ActorMeta, Deps } from '../deps.ts';
import { randomToken } from '../secrets/random.ts';
import { sha256 } from '../secrets/server-keys.ts';

/** Idle sessions end after two weeks; no session lives past thirty days. */
export const SESSION_IDLE_MS = 14 * 24 * 60 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 30 * 24 * 60 * 60 * 1000;
/**
 * How stale "last seen" may get: a session in use is touched (one write) at most this
 * often, and each touch slides its idle expiry — which is when the cookie is re-issued.
 */
export const LAST_SEEN_RESOLUTION_MS = 5 * 60 * 1000;
/** Sensitive actions need the password (and code) entered within this window. */
export const REAUTHENTICATION_WINDOW_MS = 5 * 60 * 1000;

export type SessionRow = typeof sessions.$inferSelect;
export type AccountRow = typeof accounts.$inferSelect;

export interface ValidatedSession {
  session: SessionRow;
  account: AccountRow;
  /**
   * True when this validation slid the session's expiry: the transport must send the
   * cookie again with the new expiry, or the browser drops it at the old one.
   */
  renewed?: boolean;
}

/**
 * Web sessions in the style of the Lucia guide: the cookie carries a random token,
 * the database only its SHA-256, so a leaked table opens no session.
 */
export function sessionService(deps: Deps) {
  const { db, now } = deps;

  async function create(tx: DbOrTx, accountId: string, meta: ActorMeta) {
    const token = randomToken();
    const at = now();
    const [session] = await tx
      .insert(sessions)
      .values({
        id: sha256(token),
        accountId,
        createdAt: at,
        lastSeenAt: at,
        reauthenticatedAt: at,
        expiresAt: new Date(at.getTime() + SESSION_IDLE_MS),
        absoluteExpiresAt: new Date(at.getTime() + SESSION_ABSOLUTE_MS),
        address: meta.address ?? null,
        userAgent: meta.userAgent?.slice(0, 256) ?? null,
      })
      .returning();
    return { token, session: session! };
  }

  /**
   * One indexed query; a write only every LAST_SEEN_RESOLUTION_MS of use, which records
   * "last seen" and slides the idle expiry (never past the absolute one).
   */
  async function validate(token: string): Promise<ValidatedSession | null> {
    if (!token || token.length > 128) return null;
    const [found] = await db
      .select({ session: sessions, account: accounts })
      .from(sessions)
      .innerJoin(accounts, eq(accounts.id, sessions.accountId))
      .where(eq(sessions.id, sha256(token)));
    if (!found) return null;
    const at = now();
    const { session } = found;
    if (session.expiresAt <= at || session.absoluteExpiresAt <= at) {
      await db.delete(sessions).where(eq(sessions.id, session.id));
      return null;
    }
    if (at.getTime() - session.lastSeenAt.getTime() >= LAST_SEEN_RESOLUTION_MS) {
      const expiresAt = new Date(
        Math.min(at.getTime() + SESSION_IDLE_MS, session.absoluteExpiresAt.getTime()),
      );
      await db
        .update(sessions)
        .set({ expiresAt, lastSeenAt: at })
        .where(eq(sessions.id, session.id));
      return { ...found, session: { ...session, expiresAt, lastSeenAt: at }, renewed: true };
    }
    return found;
  }

  async function invalidate(sessionId: string) {
    await db.delete(sessions).where(eq(sessions.id, sessionId));
  }

  /** Ends every session of an account, or every one but `keepSessionId`. */
  async function invalidateAllForAccount(tx: DbOrTx, accountId: string, keepSessionId?: string) {
    const ended = await tx
      .delete(sessions)
      .where(
        and(
          eq(sessions.accountId, accountId),
          keepSessionId ? ne(sessions.id, keepSessionId) : undefined,
        ),
      )
      .returning({ id: sessions.id });
    return ended.length;
  }

  /** "Sign out everywhere else": ends every session of the account but `keepSessionId`. */
  async function signOutOthers(accountId: string, keepSessionId: string, meta: ActorMeta) {
    return db.transaction(async (tx) => {
      const ended = await invalidateAllForAccount(tx, accountId, keepSessionId);
      await recordAudit(tx, {
        ...meta,
        accountId,
        action: 'signed_out_others',
        details: { ended },
      });
      return ended;
    });
  }

  /** The account's live sessions, newest first, for "where you are signed in". */
  async function listForAccount(accountId: string, currentSessionId?: string) {
    const at = now();
    const rows = await db
      .select()
      .from(sessions)
      .where(
        and(
          eq(sessions.accountId, accountId),
          gt(sessions.expiresAt, at),
          gt(sessions.absoluteExpiresAt, at),
        ),
      )
      .orderBy(desc(sessions.lastSeenAt));
    return rows.map((row) => ({
      id: row.id,
      current: row.id === currentSessionId,
      createdAt: row.createdAt,
      lastSeenAt: row.lastSeenAt,
      address: row.address,
      userAgent: row.userAgent,
    }));
  }

  async function markReauthenticated(sessionId: string) {
    await db.update(sessions).set({ reauthenticatedAt: now() }).where(eq(sessions.id, sessionId));
  }

  function isRecentlyReauthenticated(session: SessionRow): boolean {
    return now().getTime() - session.reauthenticatedAt.getTime() <= REAUTHENTICATION_WINDOW_MS;
  }

  return {
    create,
    validate,
    invalidate,
    invalidateAllForAccount,
    listForAccount,
    signOutOthers,
    markReauthenticated,
    isRecentlyReauthenticated,
  };
}

export type SessionService = ReturnType<typeof sessionService>;
