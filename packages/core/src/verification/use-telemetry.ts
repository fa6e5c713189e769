import { sql } from 'drizzle-orm';
import type { Deps } from '../deps.ts';

/** Default interval between flushes: last-used stays accurate to a few seconds. */
export const USE_FLUSH_INTERVAL_MS = 5_000;
/** A node flushes early when this many credentials wait, so memory stays bounded. */
const MAX_PENDING = 10_000;

/** The latest use of one credential seen by this node since the last flush. */
interface Sighting {
  at: number;
  service: string;
  address: string | null;
}

/**
 * Routine uses of an app password are telemetry, not history: every login of every
 * device ends in a verification, and one UPDATE each would make the busiest path of
 * all a write path. Each node keeps the latest use per credential in memory and writes
 * them all in ONE statement every few seconds and on close. The statement only moves
 * last-used forward and only on active rows, so a revocation committed in between is
 * never touched and two nodes flushing the same credential keep the later use.
 */
export function useTelemetry(deps: Deps, flushMs = USE_FLUSH_INTERVAL_MS) {
  let pending = new Map<string, Sighting>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  let closed = false;

  function schedule() {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = null;
      void flush();
    }, flushMs);
    timer.unref(); // never what keeps a process alive; close() flushes what is left
  }

  async function write(): Promise<number> {
    if (pending.size === 0) return 0;
    const batch = pending;
    pending = new Map();
    const rows = Array.from(batch, ([id, use]) => ({
      id,
      at: new Date(use.at).toISOString(),
      service: use.service,
      address: use.address,
    }));
    try {
      await deps.db.execute(sql`
        UPDATE app_passwords AS p
        SET last_used_at = v.at, last_used_service = v.service, last_used_address = v.address
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          AS v(id uuid, at timestamptz, service text, address text)
        WHERE p.id = v.id
          AND p.state = 'active'
          AND (p.last_used_at IS NULL OR p.last_used_at < v.at)`);
      return rows.length;
    } catch (error) {
      // Keep what was not written for the next attempt, unless a newer use replaced it.
      for (const [id, use] of batch) {
        const newer = pending.get(id);
        if (!newer || newer.at < use.at) pending.set(id, use);
      }
      deps.log.warn(
        { err: { message: (error as Error).message }, credentials: batch.size },
        'could not write last-used times; will retry',
      );
      if (!closed) schedule();
      return 0;
    }
  }

  /** Writes every buffered use now; resolves with how many credentials were written. */
  function flush(): Promise<number> {
    const next = chain.then(write);
    chain = next.catch(() => 0);
    return next;
  }

  return {
    /** Notes a successful routine use; written with the next flush. */
    record(credentialId: string, at: Date, service: string, address: string | null) {
      const ms = at.getTime();
      const known = pending.get(credentialId);
      if (known && known.at > ms) return;
      pending.set(credentialId, { at: ms, service, address });
      if (pending.size >= MAX_PENDING) void flush();
      else schedule();
    },
    flush,
    /** Credentials waiting for the next flush. */
    pendingCount: () => pending.size,
    /** Stops the timer and writes what is left: call on shutdown. */
    async close(): Promise<void> {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await flush();
    },
  };
}

export type UseTelemetry = ReturnType<typeof useTelemetry>;
