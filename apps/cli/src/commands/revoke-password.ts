import type { Command } from './types.ts';

/** The operator's emergency stop for one leaked app password, whoever owns it. */
export const revokePassword: Command = {
  usage: 'revoke-password <credential-id>',
  summary: "revoke any owner's app password (reason admin, audited)",
  async run(sidekey, args, out) {
    const [id] = args;
    if (!id || args.length > 1) throw new Error('Usage: sidekey revoke-password <credential-id>');
    const revoked = await sidekey.appPasswords.revokeAsAdmin(id, { actor: 'operator' });
    out(
      `Revoked “${revoked.label}” (${revoked.id}); the owner sees it revoked by an administrator.`,
    );
  },
};
