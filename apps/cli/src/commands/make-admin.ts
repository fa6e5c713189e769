import { accounts } from '@sidekey/db';
import { normaliseEmail } from '@sidekey/core';
import { eq } from 'drizzle-orm';
import type { Command } from './types.ts';

export const makeAdmin: Command = {
  usage: 'make-admin <email>',
  summary: 'grant the admin role to an existing account',
  async run(sidekey, [rawEmail], out) {
    const email = rawEmail ? normaliseEmail(rawEmail) : null;
    if (!email)
      throw new Error('Give the email address of an existing account: sidekey make-admin <email>');
    const [updated] = await sidekey.deps.db
      .update(accounts)
      .set({ role: 'admin' })
      .where(eq(accounts.email, email))
      .returning({ id: accounts.id });
    if (!updated) throw new Error(`No account has the email ${email}.`);
    out(`${email} is now an admin.`);
  },
};
