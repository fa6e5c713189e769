import { accounts, appPasswords, auditEvents } from '@sidekey/db';
import { and, arrayOverlaps, asc, eq, gt, inArray, max } from 'drizzle-orm';
import { REVOCATION_CHANNEL, type RevocationNotice } from '../app-passwords/transition.ts';
import type { Deps } from '../deps.ts';
import { scopesOf, type Protocol } from './protocols.ts';

/** One revocation as subscribed services receive it; `eventId` is the audit event's id. */
export interface RevocationEvent {
  eventId: number;
  credentialId: string;
  accountId: string;
  username: string;
  reason: string;
  at: Date;
}

/** The lifecycle events that end a credential (every path to `revoked` in the lifecycle machine). */
const REVOKING_ACTIONS = ['REVOKE', 'EXPIRE'];
const CATCH_UP_BATCH = 500;
/** Ids already delivered, kept to recognise a late notice of an event a catch-up query already sent. */
const DELIVERED_MEMORY = 4096;

/**
 * This node's one LISTEN on `sidekey_revocations`, fanned out to the verification cache
 * and to every `service.events` subscriber. Postgres delivers a NOTIFY only on commit,
 * so a notice always names a revocation that is visible to a query.
 */
export function revocationFeed(deps: Deps) {
  const noticeListeners = new Set<(notice: RevocationNotice) => void>();
  const connectListeners = new Set<() => void>();
  let started: Promise<boolean> | null = null;

  /** Resolves true once listening (and after every reconnect the listeners hear onConnect). */
  function start(): Promise<boolean> {
    started ??= deps.database
      .listen(
        REVOCATION_CHANNEL,
        (payload) => {
          const notice = parseNotice(payload);
          if (notice) for (const listener of noticeListeners) listener(notice);
        },
        () => {
          for (const listener of connectListeners) listener();
        },
      )
      .then(
        () => true,
        (error: Error) => {
          deps.log.warn(
            { err: { message: error.message } },
            'cannot listen for revocations; verification cache off',
          );
          started = null;
          return false;
        },
      );
    return started;
  }

  function onNotice(listener: (notice: RevocationNotice) => void) {
    noticeListeners.add(listener);
    return () => void noticeListeners.delete(listener);
  }

  function onConnect(listener: () => void) {
    connectListeners.add(listener);
    return () => void connectListeners.delete(listener);
  }

  const selection = {
    eventId: auditEvents.id,
    credentialId: auditEvents.credentialId,
    accountId: auditEvents.accountId,
    username: accounts.email,
    reason: auditEvents.reason,
    at: auditEvents.at,
  };

  async function query(
    where: ReturnType<typeof and>,
    limit: number,
    scopes: string[] | null,
  ): Promise<RevocationEvent[]> {
    const base = deps.db
      .select(selection)
      .from(auditEvents)
      .innerJoin(accounts, eq(accounts.id, auditEvents.accountId));
    // A service hears only of credentials it could have verified: what the others were
    // for (and whose they were) is none of its business.
    const scoped = scopes
      ? base.innerJoin(
          appPasswords,
          and(
            eq(appPasswords.id, auditEvents.credentialId),
            arrayOverlaps(
              appPasswords.scopes,
              scopes as (typeof appPasswords.$inferSelect)['scopes'],
            ),
          ),
        )
      : base;
    const rows = await scoped
      .where(
        and(
          where,
          inArray(auditEvents.action, REVOKING_ACTIONS),
          eq(auditEvents.toState, 'revoked'),
        ),
      )
      .orderBy(asc(auditEvents.id))
      .limit(limit);
    return rows.map((row) => ({
      ...row,
      credentialId: row.credentialId!,
      accountId: row.accountId!,
      reason: row.reason ?? 'user',
    }));
  }

  /** The newest audit id: where a subscriber without a last event id starts. */
  async function latestEventId(): Promise<number> {
    const [row] = await deps.db.select({ id: max(auditEvents.id) }).from(auditEvents);
    return row?.id ?? 0;
  }

  /**
   * Revocations after `afterEventId` (from the audit log), then live ones as they
   * commit, until `signal` aborts (no id: from the newest event on). Resolves once
   * listening, so a revocation committed after it resolves is always delivered; and
   * listening starts before the catch-up query, so one committing in between is never
   * lost. After a reconnect of the LISTEN connection the log is read again for whatever
   * was missed meanwhile. With `protocols`, only revocations of credentials whose scopes
   * those protocols use are sent (a service key's protocols).
   */
  async function open(
    afterEventId: number | null,
    signal: AbortSignal,
    filter: { protocols?: readonly Protocol[] } = {},
  ): Promise<AsyncGenerator<RevocationEvent>> {
    const scopes = filter.protocols ? scopesOf(filter.protocols) : null;
    let wake: (() => void) | null = null;
    let catchUp = true;
    /** Notices of ids at or below the cursor: a transaction that committed after a later one. */
    const late = new Set<number>();
    const delivered = new Set<number>();
    const poke = () => {
      const resume = wake;
      wake = null;
      resume?.();
    };
    // Until the starting point is known, every notice counts as late, so none is lost.
    let cursor = afterEventId ?? Number.POSITIVE_INFINITY;
    const offNotice = onNotice((notice) => {
      if (notice.eventId > cursor) catchUp = true;
      else if (!delivered.has(notice.eventId)) late.add(notice.eventId);
      poke();
    });
    const offConnect = onConnect(() => {
      catchUp = true;
      poke();
    });
    const onAbort = () => poke();
    signal.addEventListener('abort', onAbort);
    const stop = () => {
      offNotice();
      offConnect();
      signal.removeEventListener('abort', onAbort);
    };
    try {
      await start();
      if (afterEventId === null) cursor = await latestEventId();
    } catch (error) {
      stop();
      throw error;
    }
    return (async function* () {
      try {
        while (!signal.aborted) {
          if (late.size > 0) {
            const ids = [...late];
            late.clear();
            for (const event of await query(inArray(auditEvents.id, ids), ids.length, scopes)) {
              if (delivered.has(event.eventId)) continue;
              remember(delivered, event.eventId);
              yield event;
            }
            continue;
          }
          if (catchUp) {
            catchUp = false;
            const batch = await query(gt(auditEvents.id, cursor), CATCH_UP_BATCH, scopes);
            for (const event of batch) {
              cursor = Math.max(cursor, event.eventId);
              if (delivered.has(event.eventId)) continue;
              remember(delivered, event.eventId);
              yield event;
            }
            if (batch.length === CATCH_UP_BATCH) catchUp = true;
            continue;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      } finally {
        stop();
      }
    })();
  }

  /** Like `open`, as one generator (listening starts on the first `next()`). */
  async function* stream(
    afterEventId: number | null,
    signal: AbortSignal,
    filter: { protocols?: readonly Protocol[] } = {},
  ): AsyncGenerator<RevocationEvent> {
    yield* await open(afterEventId, signal, filter);
  }

  return { start, onNotice, onConnect, open, stream };
}

export type RevocationFeed = ReturnType<typeof revocationFeed>;

function remember(delivered: Set<number>, id: number) {
  delivered.add(id);
  if (delivered.size > DELIVERED_MEMORY) {
    const oldest = delivered.values().next().value;
    if (oldest !== undefined) delivered.delete(oldest);
  }
}

function parseNotice(payload: string): RevocationNotice | null {
  try {
    const notice = JSON.parse(payload) as Partial<RevocationNotice>;
    return typeof notice.eventId === 'number' && typeof notice.credentialId === 'string'
      ? (notice as RevocationNotice)
      : null;
  } catch {
    return null;
  }
}
