import type { AppPasswordScope } from '../app-passwords/app-passwords.ts';
import type { RevocationFeed } from './revocations.ts';

/** A success this node may repeat from memory: nothing secret, keyed by the lookup hash. */
export interface CachedSuccess {
  credentialId: string;
  accountId: string;
  username: string;
  scopes: AppPasswordScope[];
  expiresAt: Date | null;
  /** Where it was used from/for: a use from elsewhere is audited, so it skips the cache. */
  knownNetworks: string[];
  knownServices: string[];
}

/** Default for SIDEKEY_VERIFY_CACHE_MS: short, so even a missed notice heals quickly. */
export const DEFAULT_VERIFY_CACHE_MS = 5_000;
const MAX_ENTRIES = 50_000;
/**
 * After a revocation a credential is not cached again for this long: a lookup that read
 * the row just before the revoking transaction committed must not re-fill the cache.
 */
const TOMBSTONE_MS = 60_000;

/**
 * Per-node cache of recent successful verifications (nodes are stateless; revocations reach every node by NOTIFY). A mail client
 * polling IMAP verifies every few seconds; repeating those from memory takes the
 * database off the hottest path. Correctness rests on invalidation, not on the TTL:
 * every revocation is announced through Postgres LISTEN/NOTIFY (and, inside this process,
 * before its transaction even commits), and the whole cache is flushed on every
 * (re)connect of the LISTEN connection, since notices may have been missed while it was down.
 * Until LISTEN is up, nothing is cached.
 */
export function verificationCache(feed: RevocationFeed, ttlMs: number, now: () => Date) {
  const entries = new Map<string, { value: CachedSuccess; until: number }>();
  const hashByCredential = new Map<string, string>();
  const tombstones = new Map<string, number>();
  let listening = false;
  const enabled = ttlMs > 0;

  function flush() {
    entries.clear();
    hashByCredential.clear();
  }

  function forget(credentialId: string) {
    tombstones.set(credentialId, now().getTime() + TOMBSTONE_MS);
    const hash = hashByCredential.get(credentialId);
    if (hash) entries.delete(hash);
    hashByCredential.delete(credentialId);
  }

  if (enabled) {
    feed.onNotice((notice) => forget(notice.credentialId));
    feed.onConnect(() => {
      flush();
      listening = true;
    });
  }

  return {
    enabled,
    /** Starts listening (once); caching begins when the LISTEN connection is up. */
    start: () => (enabled ? feed.start() : Promise.resolve(false)),
    get(lookupHash: string): CachedSuccess | null {
      if (!listening) return null;
      const entry = entries.get(lookupHash);
      if (!entry) return null;
      if (entry.until <= now().getTime()) {
        entries.delete(lookupHash);
        return null;
      }
      return entry.value;
    },
    set(lookupHash: string, value: CachedSuccess) {
      if (!enabled || !listening) return;
      const at = now().getTime();
      const tombstone = tombstones.get(value.credentialId);
      if (tombstone !== undefined) {
        if (tombstone > at) return;
        tombstones.delete(value.credentialId);
      }
      if (entries.size >= MAX_ENTRIES) flush();
      entries.set(lookupHash, { value, until: at + ttlMs });
      hashByCredential.set(value.credentialId, lookupHash);
    },
    /** For revocations decided in this process: dropped at once, before the notice arrives. */
    forget,
    flush,
    size: () => entries.size,
  };
}

export type VerificationCache = ReturnType<typeof verificationCache>;
