import { refusalNotices, type DbOrTx } from '@sidekey/db';
import { lte } from 'drizzle-orm';
import type { Deps } from '../deps.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { SecurityNotices } from '../mail/notices.ts';
import type { ScopeRefusal } from '../mail/scope-refusal-text.ts';

/** At most one refusal notice per app password and protocol in this long. */
export const REFUSAL_NOTICE_WINDOW_MS = 24 * 60 * 60 * 1000;
/**
 * When another node (or this one before a restart) holds the window, ask the database
 * again after this long, so a notice is at most this late and retries still cost one
 * write an hour, not one each.
 */
const RECHECK_MS = 60 * 60 * 1000;
/** Past this many remembered claims a node forgets them all; the database still decides. */
const MAX_REMEMBERED = 10_000;

/**
 * Claims the right to mail about a refusal at `at`: true for exactly one caller per app
 * password, protocol and window, however many ask at once and on however many nodes. One
 * upsert whose update only happens when the last notice is at least a window old; a
 * concurrent claim waits on the row and then sees the new time, so it gets no row back.
 */
export async function claimRefusalNotice(
  db: DbOrTx,
  credentialId: string,
  service: string,
  at: Date,
  windowMs = REFUSAL_NOTICE_WINDOW_MS,
): Promise<boolean> {
  const claimed = await db
    .insert(refusalNotices)
    .values({ credentialId, service, mailedAt: at })
    .onConflictDoUpdate({
      target: [refusalNotices.credentialId, refusalNotices.service],
      set: { mailedAt: at },
      setWhere: lte(refusalNotices.mailedAt, new Date(at.getTime() - windowMs)),
    })
    .returning({ credentialId: refusalNotices.credentialId });
  return claimed.length > 0;
}

/**
 * Tells the owner when an app password is refused for a protocol it may not reach: a
 * device set up with the wrong password, or someone trying one where it was not meant to
 * go. A device retrying every minute must not flood the inbox, so each password and
 * protocol is mailed at most once per window, decided by `claimRefusalNotice`.
 *
 * The work runs after the refusal has been answered (the mailer's `later`), so a relying
 * service never waits for mail. Each node also remembers what it claimed, so the retries
 * that follow cost no database write at all. That memory can only hold a notice back
 * (for at most `RECHECK_MS` longer than the database would), never send a second one.
 */
export function scopeRefusalNotices(
  deps: Deps,
  mail: { mailer: Mailer; notices: SecurityNotices },
  windowMs = REFUSAL_NOTICE_WINDOW_MS,
) {
  const claimedAt = new Map<string, number>();

  function refused(refusal: ScopeRefusal): void {
    const key = `${refusal.credentialId}:${refusal.service}`;
    const at = refusal.at.getTime();
    const last = claimedAt.get(key);
    if (last !== undefined && at >= last && at - last < windowMs) return;
    if (claimedAt.size >= MAX_REMEMBERED) claimedAt.clear();
    claimedAt.set(key, at);
    mail.mailer.later(async () => {
      try {
        const queued = await deps.db.transaction(async (tx) =>
          (await claimRefusalNotice(
            tx,
            refusal.credentialId,
            refusal.service,
            refusal.at,
            windowMs,
          ))
            ? mail.notices.scopeRefused(tx, refusal)
            : null,
        );
        if (queued) mail.mailer.dispatch(...queued);
        else if (claimedAt.get(key) === at) claimedAt.set(key, at - windowMs + RECHECK_MS);
      } catch (error) {
        // Nothing was claimed: let the next refusal try again.
        if (claimedAt.get(key) === at) claimedAt.delete(key);
        throw error;
      }
    });
  }

  return { refused };
}

export type ScopeRefusalNotices = ReturnType<typeof scopeRefusalNotices>;
