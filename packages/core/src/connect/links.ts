import { accounts, appPasswords, connectLinks } from '@sidekey/db';
import { and, eq, lt } from 'drizzle-orm';
import type { AppPasswordScope } from '../app-passwords/app-passwords.ts';
import type { Deps } from '../deps.ts';
import { randomToken } from '../secrets/random.ts';
import { seal, unseal } from '../secrets/sealing.ts';
import { sha256 } from '../secrets/server-keys.ts';

/** A link to the phone works this long: long enough to find the phone and scan, no longer. */
export const CONNECT_LINK_TTL_MS = 10 * 60_000;

const PURPOSE = 'connect-link';

/** What a redeemed link hands to the phone: enough to set the app up, once. */
export interface RedeemedConnectLink {
  credentialId: string;
  email: string;
  label: string;
  scopes: AppPasswordScope[];
  password: string;
}

/**
 * Single-use links that carry a new app password from the page where it was shown to the
 * owner's phone (the page shows the link as a QR code). Only the SHA-256 of the 256-bit
 * token is stored, and the password only sealed (AES-256-GCM) and bound to that row; the
 * row is deleted by the redemption itself (DELETE … RETURNING, so two phones cannot both
 * win), by expiry, or with the password.
 */
export function connectLinkService(deps: Deps) {
  async function create(input: {
    accountId: string;
    credentialId: string;
    password: string;
  }): Promise<{ token: string; expiresAt: Date }> {
    const token = randomToken();
    const id = sha256(token);
    const expiresAt = new Date(deps.now().getTime() + CONNECT_LINK_TTL_MS);
    await deps.db.insert(connectLinks).values({
      id,
      accountId: input.accountId,
      credentialId: input.credentialId,
      passwordSealed: seal(deps.keys, PURPOSE, id, new TextEncoder().encode(input.password)),
      createdAt: deps.now(),
      expiresAt,
    });
    return { token, expiresAt };
  }

  /**
   * The link's content, or null when the token is unknown, already used, expired, or its
   * password was revoked meanwhile: never told apart, as a guessed token learns nothing.
   */
  async function redeem(token: string): Promise<RedeemedConnectLink | null> {
    if (!/^[\w-]{43}$/.test(token)) return null;
    const id = sha256(token);
    const [row] = await deps.db.delete(connectLinks).where(eq(connectLinks.id, id)).returning();
    if (!row || row.expiresAt.getTime() <= deps.now().getTime()) return null;
    const [credential] = await deps.db
      .select({
        label: appPasswords.label,
        scopes: appPasswords.scopes,
        state: appPasswords.state,
        email: accounts.email,
      })
      .from(appPasswords)
      .innerJoin(accounts, eq(accounts.id, appPasswords.accountId))
      .where(and(eq(appPasswords.id, row.credentialId), eq(appPasswords.accountId, row.accountId)));
    if (!credential || credential.state === 'revoked') return null;
    const plain = unseal(deps.keys, PURPOSE, id, row.passwordSealed);
    if (!plain) return null;
    return {
      credentialId: row.credentialId,
      email: credential.email,
      label: credential.label,
      scopes: credential.scopes,
      password: new TextDecoder().decode(plain),
    };
  }

  /** Deletes expired links (housekeeping). */
  async function pruneExpired(): Promise<number> {
    const removed = await deps.db
      .delete(connectLinks)
      .where(lt(connectLinks.expiresAt, deps.now()))
      .returning({ id: connectLinks.id });
    return removed.length;
  }

  return { create, redeem, pruneExpired };
}

export type ConnectLinkService = ReturnType<typeof connectLinkService>;
