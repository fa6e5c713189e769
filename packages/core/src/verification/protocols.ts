import type { ServiceProtocol } from '@sidekey/db';
import type { AppPasswordScope } from '../app-passwords/app-passwords.ts';

/** The protocols a relying service may verify for, and the scope each one needs. */
export const protocolScopes = {
  imap: 'mail',
  pop3: 'mail',
  smtp: 'mail',
  carddav: 'contacts',
  caldav: 'calendars',
  webdav: 'files',
} as const satisfies Record<ServiceProtocol, AppPasswordScope>;

export type Protocol = keyof typeof protocolScopes;
export const allProtocols = Object.keys(protocolScopes) as Protocol[];

export function isProtocol(value: string): value is Protocol {
  return Object.hasOwn(protocolScopes, value);
}

/** The scopes credentials need for any of `protocols`: which revocations a service can use. */
export function scopesOf(protocols: readonly Protocol[]): AppPasswordScope[] {
  return [...new Set(protocols.map((protocol) => protocolScopes[protocol]))];
}
