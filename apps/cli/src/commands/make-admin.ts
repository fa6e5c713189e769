import type { Command } from './types.ts';

export const makeAdmin: Command = {
  usage: 'make-admin <email>',
  summary: 'grant the admin role to an existing account (audited)',
  async run(sidekey, [rawEmail], out) {
    if (!rawEmail)
      throw new Error('Give the email address of an existing account: sidekey make-admin <email>');
    // Through core, so the change and its audit row (`role_granted`) are one transaction.
    const granted = await sidekey.accounts.grantAdmin(rawEmail, { actor: 'operator' });
    out(
      granted.changed
        ? `${granted.email} is now an admin.`
        : `${granted.email} is already an admin.`,
    );
    if (!granted.twoFactor) {
      out(
        'Administrators must have two-factor authentication on: until they turn it on (Sign-In and Security), admin actions are refused.',
      );
    }
  },
};
