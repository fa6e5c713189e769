import type { ServiceProtocol } from '@sidekey/db';
import type { AppPasswordScope } from '../app-passwords/app-passwords.ts';

/** The protocols a relying service may verify for, and the scope each one needs. */
export const serviceScopes = {
  imap: 'mail',
  pop3: 'mail',
  smtp: 'mail',
  carddav: 'contacts',
  caldav: 'calendars',
  webdav: 'files',
} as const satisfies Record<ServiceProtocol, AppPasswordScope>;

export type ServiceName = keyof typeof serviceScopes;
export const serviceNames = Object.keys(serviceScopes) as ServiceName[];

export function isServiceName(value: string): value is ServiceName {
  return Object.hasOwn(serviceScopes, value);
}

/** The scopes credentials need for any of `protocols`: which revocations a service can use. */
export function scopesOf(protocols: readonly ServiceName[]): AppPasswordScope[] {
  return [...new Set(protocols.map((protocol) => serviceScopes[protocol]))];
}
