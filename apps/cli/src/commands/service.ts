import { allProtocols } from '@sidekey/core';
import type { Command } from './types.ts';

const operator = { actor: 'operator' as const };
const usage =
  'Use: sidekey service add <name> --services imap,pop3,smtp | sidekey service list | sidekey service revoke <name-or-id>';

/** `<name words…> --services a,b` → the name and the protocols (required: least privilege). */
function parseAdd(args: string[]): { name: string; protocols: string[] } {
  const flag = args.findIndex((arg) => arg === '--services' || arg.startsWith('--services='));
  const value =
    flag === -1
      ? undefined
      : args[flag]!.includes('=')
        ? args[flag]!.slice('--services='.length)
        : args[flag + 1];
  const nameParts = flag === -1 ? args : [...args.slice(0, flag), ...args.slice(flag + 2)];
  const name = nameParts.join(' ').trim();
  if (!name) throw new Error(`Name the service. ${usage}`);
  if (!value) {
    throw new Error(
      `Say which protocols the service may verify with --services, from ${allProtocols.join(', ')} (a mail server: --services imap,pop3,smtp; a DAV proxy: --services caldav,carddav,webdav).`,
    );
  }
  const protocols = value
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
  return { name, protocols };
}

/** Relying services (IMAP/SMTP/DAV servers, backends) and their keys. */
export const service: Command = {
  usage: 'service add|list|revoke …',
  summary: 'register a relying service (prints its key once), list or revoke keys',
  async run(sidekey, [action, ...rest], out) {
    const argument = rest.join(' ').trim();
    switch (action) {
      case 'add': {
        const { name, protocols } = parseAdd(rest);
        const created = await sidekey.serviceKeys.create(
          name,
          operator,
          protocols as typeof allProtocols,
        );
        out(
          `Service “${created.name}” registered (id ${created.id}) for ${created.protocols.join(', ')}. Its key, shown only now:`,
        );
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
          return out(
            'No services registered. Add one: sidekey service add <name> --services imap,pop3,smtp',
          );
        for (const key of keys) {
          const state = key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active';
          const used = key.lastUsedAt ? `last used ${key.lastUsedAt.toISOString()}` : 'never used';
          const protocols = key.protocols.join(',');
          out(
            `${key.id}  ${key.name.padEnd(24)} ${protocols.padEnd(24)} ${state.padEnd(32)} ${used}`,
          );
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
