import { accounts } from '@sidekey/db';
import { eq } from 'drizzle-orm';
import { recordAudit } from '../audit.ts';
import type { ActorMeta, Deps } from '../deps.ts';
import { SidekeyError } from '../errors.ts';
import { normaliseEmail } from './email.ts';

/**
 * Roles change only here, in one transaction with their audit row: who became an admin,
 * when and by whose hand is part of the record an operator may need after an incident.
 */
export function roleService(deps: Deps) {
  /** Grants the admin role; `role_granted` in the audit log (nothing written if already one). */
  async function grantAdmin(rawEmail: string, meta: ActorMeta) {
    const email = normaliseEmail(rawEmail);
    if (!email) {
      throw new SidekeyError(
        'BAD_REQUEST',
        'Give the email address of an existing account.',
        'invalid_email',
      );
    }
    return deps.db.transaction(async (tx) => {
      const [account] = await tx
        .select({ id: accounts.id, role: accounts.role, totpEnabledAt: accounts.totpEnabledAt })
        .from(accounts)
        .where(eq(accounts.email, email))
        .for('update');
      if (!account) {
        throw new SidekeyError('NOT_FOUND', `No account has the email ${email}.`, 'not_found');
      }
      const twoFactor = account.totpEnabledAt !== null;
      if (account.role === 'admin') return { email, changed: false, twoFactor };
      await tx.update(accounts).set({ role: 'admin' }).where(eq(accounts.id, account.id));
      await recordAudit(tx, {
        ...meta,
        accountId: account.id,
        action: 'role_granted',
        details: { role: 'admin' },
      });
      deps.log.info({ accountId: account.id }, 'admin role granted');
      return { email, changed: true, twoFactor };
    });
  }

  return { grantAdmin };
}
