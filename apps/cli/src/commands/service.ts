import type { Command } from './types.ts';

const operator = { actor: 'operator' as const };
const usage =
  'Use: sidekey service add <name> | sidekey service list | sidekey service revoke <name-or-id>';

/** Relying services (IMAP/SMTP/DAV servers, backends) and their keys. */
export const service: Command = {
  usage: 'service add|list|revoke …',
  summary: 'register a relying service (prints its key once), list or revoke keys',
  async run(sidekey, [action, ...rest], out) {
    const argument = rest.join(' ').trim();
    switch (action) {
      case 'add': {
        if (!argument) throw new Error(`Name the service. ${usage}`);
        const created = await sidekey.serviceKeys.create(argument, operator);
        out(`Service “${created.name}” registered (id ${created.id}). Its key, shown only now:`);
        out('');
        out(`  ${created.key}`);
        out('');
        out(
          'Give it to the service as its bearer key (Authorization: Bearer …, or X-Sidekey-Service-Key).',
        );
        return;
      }
      case 'list': {
        const keys = await sidekey.serviceKeys.list();
        if (keys.length === 0)
          return out('No services registered. Add one: sidekey service add <name>');
        for (const key of keys) {
          const state = key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active';
          const used = key.lastUsedAt ? `last used ${key.lastUsedAt.toISOString()}` : 'never used';
          out(`${key.id}  ${key.name.padEnd(24)} ${state.padEnd(32)} ${used}`);
        }
        return;
      }
      case 'revoke': {
        if (!argument) throw new Error(`Say which service. ${usage}`);
        const revoked = await sidekey.serviceKeys.revoke(argument, operator);
        out(
          `The key of “${revoked.name}” (id ${revoked.id}) is revoked; it can no longer verify or subscribe.`,
        );
        return;
      }
      default:
        throw new Error(usage);
    }
  },
};
