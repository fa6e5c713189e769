import { accounts, type Db } from '@sidekey/db';
import { recordAudit } from '../audit.ts';
import type { ActorMeta } from '../deps.ts';
import type { SidekeyError } from '../errors.ts';
import type { SessionService } from './sessions.ts';

/**
 * Creates the account, audits `sign_up` and opens its first session, in one transaction.
 * An email that already has an account changes nothing and throws what the caller says
 * (the words differ: the operator's direct sign-up vs a mailed link opened twice).
 */
export async function createAccountWithSession(
  db: Db,
  sessions: SessionService,
  values: { email: string; passwordHash: string },
  meta: ActorMeta,
  taken: () => SidekeyError,
) {
  return db.transaction(async (tx) => {
    const [account] = await tx.insert(accounts).values(values).onConflictDoNothing().returning();
    if (!account) throw taken();
    await recordAudit(tx, { ...meta, actor: 'owner', accountId: account.id, action: 'sign_up' });
    const { token, session } = await sessions.create(tx, account.id, meta);
    return { accountId: account.id, sessionToken: token, expiresAt: session.expiresAt };
  });
}
