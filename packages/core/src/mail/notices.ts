import { accounts, type DbOrTx } from '@sidekey/db';
import { eq } from 'drizzle-orm';
import type { Mailer, QueuedMail } from './mailer.ts';
import { describeScopeRefusal, type ScopeRefusal } from './scope-refusal-text.ts';

/**
 * The security notices an owner gets by mail. Each names what happened and what to do
 * if it was not them; none carries a secret. Queued in the caller's transaction.
 */
export function securityNotices(mailer: Mailer) {
  async function emailOf(tx: DbOrTx, accountId: string): Promise<string | null> {
    const [row] = await tx
      .select({ email: accounts.email })
      .from(accounts)
      .where(eq(accounts.id, accountId));
    return row?.email ?? null;
  }

  async function queue(tx: DbOrTx, accountId: string, subject: string, lines: string[]) {
    const to = await emailOf(tx, accountId);
    if (!to) return [];
    return [await mailer.enqueue(tx, { to, subject, body: `${lines.join('\n')}\n` })];
  }

  const notYou = 'If this was not you, reset your password at once and turn two-factor back on.';

  return {
    appPasswordCreated: (tx: DbOrTx, accountId: string, label: string): Promise<QueuedMail[]> =>
      queue(tx, accountId, 'Sidekey: a new app password was created', [
        `An app password labelled “${label}” was just created for your account.`,
        '',
        'If this was not you, revoke it in Sidekey and change your password.',
      ]),
    passwordChanged: (tx: DbOrTx, accountId: string, revoked: number, how: 'changed' | 'reset') =>
      queue(tx, accountId, `Sidekey: your password was ${how}`, [
        `Your Sidekey password was ${how}. ${revoked} app password${revoked === 1 ? ' was' : 's were'} revoked, and ${how === 'reset' ? 'every' : 'every other'} web session was ended.`,
        'Apps that used the revoked app passwords need a new one each.',
        '',
        notYou,
      ]),
    twoFactorDisabled: (tx: DbOrTx, accountId: string, revoked: number) =>
      queue(tx, accountId, 'Sidekey: two-factor authentication was turned off', [
        `Two-factor authentication was turned off for your account, and ${revoked} app password${revoked === 1 ? ' was' : 's were'} revoked with it.`,
        'Turn two-factor on again before you generate new app passwords.',
        '',
        notYou,
      ]),
    accountLocked: (tx: DbOrTx, accountId: string, minutes: number) =>
      queue(tx, accountId, 'Sidekey: sign-in locked after too many failed attempts', [
        `There were too many failed sign-in attempts on your account, so signing in with your password is locked for ${minutes} minutes.`,
        'Your app passwords keep working. If these attempts were not you, someone may be guessing your password: choose a new, longer one.',
        'You can also reset your password now, which lifts the lock.',
      ]),
    scopeRefused: (tx: DbOrTx, refusal: ScopeRefusal) => {
      const { subject, lines } = describeScopeRefusal(refusal);
      return queue(tx, refusal.accountId, subject, lines);
    },
  };
}

export type SecurityNotices = ReturnType<typeof securityNotices>;
