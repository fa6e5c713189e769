import type { AppPasswordScope } from '../app-passwords/app-passwords.ts';

/** The protocols a relying service may verify for, and the scope each one needs. */
export const serviceScopes = {
  imap: 'mail',
  pop3: 'mail',
  smtp: 'mail',
  carddav: 'contacts',
  caldav: 'calendars',
  webdav: 'files',
} as const satisfies Record<string, AppPasswordScope>;

export type ServiceName = keyof typeof serviceScopes;
export const serviceNames = Object.keys(serviceScopes) as ServiceName[];

export function isServiceName(value: string): value is ServiceName {
  return Object.hasOwn(serviceScopes, value);
}
