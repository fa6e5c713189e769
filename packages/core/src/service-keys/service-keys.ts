import { randomBytes } from 'node:crypto';
import { serviceKeys, serviceProtocols, type ServiceProtocol } from '@sidekey/db';
import { and, asc, eq, isNull, or, sql } from 'drizzle-orm';
import type { ActorMeta, Deps } from '../deps.ts';
import { recordAudit } from '../audit.ts';
import { SidekeyError } from '../errors.ts';
import { constantTimeEqual, sha256 } from '../secrets/server-keys.ts';

/**
 * Relying services (IMAP/SMTP/DAV servers, backends) prove who they are with a service
 * key: 256 random bits behind a recognisable prefix, so secret scanners (GitHub's,
 * trufflehog) can spot a leaked one. Shown once; only its SHA-256 is stored — at 256 bits
 * an unkeyed hash is enough (the Lucia-guide argument for session tokens).
 */
export const SERVICE_KEY_PREFIX = 'sksvc_';
export const SERVICE_NAME_MAX_LENGTH = 64;
/** Channel on which a revoked service key is announced, so every node drops it from its cache. */
export const SERVICE_KEY_CHANNEL = 'sidekey_service_keys';
const SERVICE_KEY_PATTERN = /^sksvc_[A-Za-z0-9_-]{43}$/;
/** A node trusts a service key it checked for this long before asking the database again. */
const AUTHENTICATED_TTL_MS = 60_000;
/** Writes of last-used time are at most this frequent, like app passwords. */
const LAST_USED_INTERVAL_MS = 60_000;

export interface ServiceKeySummary {
  id: string;
  name: string;
  /** The protocols this key may verify (and whose revocations it hears). */
  protocols: ServiceProtocol[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface AuthenticatedService {
  id: string;
  name: string;
  protocols: ServiceProtocol[];
}

/** Why a presented key was refused, for the operator's log (never the key itself). */
export function describeRefusedKey(
  presented: string | null | undefined,
): 'missing' | 'malformed' | 'unknown or revoked' {
  if (!presented) return 'missing';
  return SERVICE_KEY_PATTERN.test(presented) ? 'unknown or revoked' : 'malformed';
}

export function serviceKeyService(deps: Deps) {
  const { db, now } = deps;
  /** keyHash → service; flushed on any revocation notice and on every (re)connect. */
  const authenticated = new Map<string, { service: AuthenticatedService; until: number }>();
  let listening: Promise<boolean> | null = null;
  const revokedListeners = new Set<(serviceId: string) => void>();
  const announceRevoked = (serviceId: string) => {
    authenticated.clear();
    for (const listener of revokedListeners) listener(serviceId);
  };

  /** True once this node hears revocations; only then may it remember keys. */
  function listen(): Promise<boolean> {
    listening ??= deps.database
      .listen(SERVICE_KEY_CHANNEL, announceRevoked, () => authenticated.clear())
      .then(
        () => true,
        (error: Error) => {
          deps.log.warn(
            { err: { message: error.message } },
            'cannot listen for service key revocations; not caching service keys',
          );
          listening = null;
          return false;
        },
      );
    return listening;
  }

  /**
   * `protocols`: what the key may verify, chosen now (least privilege: a mail server's
   * key needs imap, pop3, smtp; a DAV proxy's caldav, carddav, webdav). Left out only by
   * programmatic callers that serve every protocol.
   */
  async function create(
    rawName: string,
    meta: ActorMeta,
    protocols: readonly ServiceProtocol[] = serviceProtocols,
  ) {
    const name = normaliseName(rawName);
    const allowed = normaliseProtocols(protocols);
    const key = `${SERVICE_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row = await db.transaction(async (tx) => {
      // Names identify keys in `service revoke <name>`: one live key per name. The
      // advisory lock serialises concurrent creates of the same name.
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`service_keys:${name}`}))`);
      const [existing] = await tx
        .select({ id: serviceKeys.id })
        .from(serviceKeys)
        .where(and(eq(serviceKeys.name, name), isNull(serviceKeys.revokedAt)));
      if (existing) {
        throw new SidekeyError(
          'CONFLICT',
          `A service named “${name}” already has a key. Revoke it first, or choose another name.`,
          'name_taken',
        );
      }
      const [inserted] = await tx
        .insert(serviceKeys)
        .values({ name, keyHash: sha256(key), protocols: allowed, createdAt: now() })
        .returning();
      await recordAudit(tx, {
        ...meta,
        action: 'service_key_created',
        details: { name, id: inserted!.id, protocols: allowed },
      });
      return inserted!;
    });
    deps.log.info({ serviceId: row.id, name, protocols: allowed }, 'service key created');
    // The only time the key leaves Sidekey.
    return { ...summarise(row), key };
  }

  async function list(): Promise<ServiceKeySummary[]> {
    const rows = await db
      .select()
      .from(serviceKeys)
      .orderBy(asc(serviceKeys.createdAt), asc(serviceKeys.id));
    return rows.map(summarise);
  }

  /** By id, or by the name of a live key. */
  async function revoke(nameOrId: string, meta: ActorMeta): Promise<ServiceKeySummary> {
    const target = nameOrId.trim();
    const byId = UUID.test(target) ? eq(serviceKeys.id, target) : undefined;
    const row = await db.transaction(async (tx) => {
      const [found] = await tx
        .select()
        .from(serviceKeys)
        .where(or(byId, and(eq(serviceKeys.name, target), isNull(serviceKeys.revokedAt))))
        .orderBy(asc(serviceKeys.revokedAt))
        .limit(1)
        .for('update');
      if (!found) {
        throw new SidekeyError(
          'NOT_FOUND',
          `No service key is named or numbered “${target}”.`,
          'not_found',
        );
      }
      if (found.revokedAt) {
        throw new SidekeyError(
          'CONFLICT',
          `The key of “${found.name}” is already revoked.`,
          'already_revoked',
        );
      }
      const [updated] = await tx
        .update(serviceKeys)
        .set({ revokedAt: now() })
        .where(eq(serviceKeys.id, found.id))
        .returning();
      await recordAudit(tx, {
        ...meta,
        action: 'service_key_revoked',
        details: { name: found.name, id: found.id },
      });
      // Delivered on commit: every node forgets the key it may have cached.
      await tx.execute(sql`SELECT pg_notify(${SERVICE_KEY_CHANNEL}, ${found.id})`);
      return updated!;
    });
    announceRevoked(row.id);
    deps.log.info({ serviceId: row.id, name: row.name }, 'service key revoked');
    return summarise(row);
  }

  /**
   * The service behind a presented key, or null. Runs before every verification, so a
   * node remembers keys it checked for a minute — but only while it listens for
   * revocations, so a revoked key is refused on every node as soon as the notice lands.
   */
  async function authenticate(
    presented: string | null | undefined,
  ): Promise<AuthenticatedService | null> {
    if (!presented || !SERVICE_KEY_PATTERN.test(presented)) return null;
    const keyHash = sha256(presented);
    const at = now().getTime();
    const cached = authenticated.get(keyHash);
    if (cached && cached.until > at) return cached.service;

    const isListening = await listen();
    const [row] = await db
      .select()
      .from(serviceKeys)
      .where(and(eq(serviceKeys.keyHash, keyHash), isNull(serviceKeys.revokedAt)));
    if (!row || !constantTimeEqual(row.keyHash, keyHash)) return null;
    if (!row.lastUsedAt || at - row.lastUsedAt.getTime() >= LAST_USED_INTERVAL_MS) {
      await db
        .update(serviceKeys)
        .set({ lastUsedAt: new Date(at) })
        .where(eq(serviceKeys.id, row.id));
    }
    const service = { id: row.id, name: row.name, protocols: row.protocols };
    if (isListening) authenticated.set(keyHash, { service, until: at + AUTHENTICATED_TTL_MS });
    return service;
  }

  /**
   * Tells `listener` the id of every service whose key is revoked, on any node, so an
   * open event stream of that service can end. Returns the unsubscribe function.
   */
  function onRevoked(listener: (serviceId: string) => void): () => void {
    revokedListeners.add(listener);
    void listen();
    return () => void revokedListeners.delete(listener);
  }

  return { create, list, revoke, authenticate, onRevoked };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function normaliseName(raw: string): string {
  const name = raw.normalize('NFC').trim();
  if (!/^[\p{L}\p{N}][\p{L}\p{N} ._-]*$/u.test(name) || name.length > SERVICE_NAME_MAX_LENGTH) {
    throw new SidekeyError(
      'BAD_REQUEST',
      `Name the service with up to ${SERVICE_NAME_MAX_LENGTH} letters, digits, spaces, dots, dashes or underscores, such as “dovecot-imap”.`,
      'invalid_name',
    );
  }
  return name;
}

function normaliseProtocols(raw: readonly string[]): ServiceProtocol[] {
  const unknown = raw.filter((p) => !(serviceProtocols as readonly string[]).includes(p));
  if (raw.length === 0 || unknown.length > 0) {
    throw new SidekeyError(
      'BAD_REQUEST',
      `${unknown.length > 0 ? `Unknown protocol: ${unknown.join(', ')}. ` : ''}Name the protocols this service may verify, from ${serviceProtocols.join(', ')} (a mail server: imap, pop3, smtp).`,
      'invalid_services',
    );
  }
  // Kept in the canonical order, once each.
  return serviceProtocols.filter((p) => raw.includes(p));
}

function summarise(row: typeof serviceKeys.$inferSelect): ServiceKeySummary {
  return {
    id: row.id,
    name: row.name,
    protocols: row.protocols,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}
