import { randomUUID } from 'node:crypto';
import { build, type PlistValue } from 'plist';
import type { AppPasswordScope } from '../app-passwords/app-passwords.ts';
import type { ConnectEndpoints, DavEndpoint } from './endpoints.ts';

type Payload = Record<string, PlistValue>;

/**
 * An Apple configuration profile (.mobileconfig) for iPhone, iPad and Mac holding exactly
 * the accounts an app password's scopes allow, with the password embedded so nothing has to
 * be typed. Keys as Apple's Device Management reference documents them: the top-level
 * "Configuration" payload, com.apple.mail.managed (IMAP or POP, plus SMTP: Mail needs both),
 * com.apple.caldav.account and com.apple.carddav.account. Files have no such payload.
 */
export interface AppleProfileInput {
  email: string;
  password: string;
  label: string;
  credentialId: string;
  scopes: readonly AppPasswordScope[];
  endpoints: ConnectEndpoints;
  /** Who offers it, shown by the device when installing (the service's host name). */
  organization: string;
}

export type AppleAccount = 'mail' | 'calendars' | 'contacts';

/** The accounts a profile would hold for these scopes and declared servers. */
export function appleAccounts(
  endpoints: ConnectEndpoints,
  scopes: readonly AppPasswordScope[],
): AppleAccount[] {
  const accounts: AppleAccount[] = [];
  if (scopes.includes('mail') && (endpoints.imap || endpoints.pop3) && endpoints.smtp)
    accounts.push('mail');
  if (scopes.includes('calendars') && endpoints.caldav) accounts.push('calendars');
  if (scopes.includes('contacts') && endpoints.carddav) accounts.push('contacts');
  return accounts;
}

/** The profile's XML, or null when no account can be configured (nothing declared for its scopes). */
export function appleProfile(input: AppleProfileInput): string | null {
  const accounts = appleAccounts(input.endpoints, input.scopes);
  if (accounts.length === 0) return null;
  // Reverse-DNS identifiers from the service's host; the same password's profile installed
  // twice replaces the first instead of adding a second account.
  const base = `${input.organization.split('.').reverse().join('.')}.sidekey.${input.credentialId}`;
  const common = (type: string, suffix: string, name: string): Payload => ({
    PayloadType: type,
    PayloadVersion: 1,
    PayloadIdentifier: `${base}.${suffix}`,
    PayloadUUID: randomUUID().toUpperCase(),
    PayloadDisplayName: name,
  });
  const content: Payload[] = [];
  const { endpoints } = input;
  if (accounts.includes('mail')) {
    const incoming = endpoints.imap ?? endpoints.pop3!;
    const smtp = endpoints.smtp!;
    content.push({
      ...common('com.apple.mail.managed', 'mail', `Mail (${input.label})`),
      EmailAccountDescription: input.email,
      EmailAccountType: endpoints.imap ? 'EmailTypeIMAP' : 'EmailTypePOP',
      EmailAddress: input.email,
      IncomingMailServerAuthentication: 'EmailAuthPassword',
      IncomingMailServerHostName: incoming.host,
      IncomingMailServerPortNumber: incoming.port,
      // Both tls and starttls are encrypted; Apple's key covers either (the port tells which).
      IncomingMailServerUseSSL: true,
      IncomingMailServerUsername: input.email,
      IncomingPassword: input.password,
      OutgoingMailServerAuthentication: 'EmailAuthPassword',
      OutgoingMailServerHostName: smtp.host,
      OutgoingMailServerPortNumber: smtp.port,
      OutgoingMailServerUseSSL: true,
      OutgoingMailServerUsername: input.email,
      OutgoingPassword: input.password,
      OutgoingPasswordSameAsIncomingPassword: true,
    });
  }
  const dav = (
    prefix: 'CalDAV' | 'CardDAV',
    endpoint: DavEndpoint,
    suffix: string,
    name: string,
  ) => ({
    ...common(`com.apple.${prefix.toLowerCase()}.account`, suffix, name),
    [`${prefix}AccountDescription`]: `${name} (${input.email})`,
    [`${prefix}HostName`]: endpoint.host,
    [`${prefix}Port`]: endpoint.port,
    [`${prefix}PrincipalURL`]: endpoint.url,
    [`${prefix}UseSSL`]: true,
    [`${prefix}Username`]: input.email,
    [`${prefix}Password`]: input.password,
  });
  if (accounts.includes('calendars'))
    content.push(dav('CalDAV', endpoints.caldav!, 'caldav', 'Calendars'));
  if (accounts.includes('contacts'))
    content.push(dav('CardDAV', endpoints.carddav!, 'carddav', 'Contacts'));
  return build({
    PayloadContent: content,
    PayloadDescription: `Sets up ${accounts.join(', ')} for ${input.email} with the app-specific password “${input.label}”. Remove the profile to remove the accounts.`,
    PayloadDisplayName: `${input.organization}: ${input.label}`,
    PayloadIdentifier: base,
    PayloadOrganization: input.organization,
    PayloadRemovalDisallowed: false,
    PayloadType: 'Configuration',
    PayloadUUID: randomUUID().toUpperCase(),
    PayloadVersion: 1,
  });
}

/** A file name the device shows; only safe characters. */
export function appleProfileFileName(label: string): string {
  const safe =
    label
      .replace(/[^\w-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'account';
  return `sidekey-${safe}.mobileconfig`;
}
