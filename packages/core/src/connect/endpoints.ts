import type { AppPasswordScope } from '../app-passwords/app-passwords.ts';
import type { Protocol } from '../verification/protocols.ts';

/**
 * The servers an owner's apps connect to, as the operator declares them. Sidekey only
 * checks passwords for those servers, so it cannot know their names: without a declaration
 * the owner's page says so instead of guessing a host (a guessed host would hand the
 * password to whoever answers there).
 */

/** Implicit TLS from the first byte (RFC 8314 §3), or a plain start upgraded with STARTTLS. */
export type MailSecurity = 'tls' | 'starttls';

export interface MailEndpoint {
  kind: 'mail';
  host: string;
  port: number;
  security: MailSecurity;
}

export interface DavEndpoint {
  kind: 'dav';
  /** Always https: an app password must not cross the network in clear. */
  url: string;
  host: string;
  port: number;
  /** The path the server's collections live under ("/" when none). */
  path: string;
}

export interface ConnectEndpoints {
  imap?: MailEndpoint;
  pop3?: MailEndpoint;
  smtp?: MailEndpoint;
  caldav?: DavEndpoint;
  carddav?: DavEndpoint;
  webdav?: DavEndpoint;
}

/** The environment variable that declares each server. */
export const ENDPOINT_VARIABLES = {
  imap: 'SIDEKEY_IMAP',
  pop3: 'SIDEKEY_POP3',
  smtp: 'SIDEKEY_SMTP',
  caldav: 'SIDEKEY_CALDAV',
  carddav: 'SIDEKEY_CARDDAV',
  webdav: 'SIDEKEY_WEBDAV',
} as const satisfies Record<Protocol, string>;

/** Ports from RFC 8314 (IMAP 993, POP3 995, submission over TLS 465) and RFC 6409 (587). */
const DEFAULT_MAIL_PORTS: Record<'imap' | 'pop3' | 'smtp', Record<MailSecurity, number>> = {
  imap: { tls: 993, starttls: 143 },
  pop3: { tls: 995, starttls: 110 },
  smtp: { tls: 465, starttls: 587 },
};

// RFC 1123 host names: labels of letters, digits and hyphens, not starting or ending with one.
const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/**
 * Reads SIDEKEY_IMAP, SIDEKEY_POP3, SIDEKEY_SMTP (`host[:port[:tls|starttls]]`) and
 * SIDEKEY_CALDAV, SIDEKEY_CARDDAV, SIDEKEY_WEBDAV (`https://host[:port]/path/`). Every
 * problem is collected and thrown as one error that names the variable, so a server with a
 * typo refuses to start instead of showing owners a wrong server.
 */
export function readConnectEndpoints(env: NodeJS.ProcessEnv = process.env): ConnectEndpoints {
  const endpoints: ConnectEndpoints = {};
  const problems: string[] = [];
  for (const service of ['imap', 'pop3', 'smtp'] as const) {
    const variable = ENDPOINT_VARIABLES[service];
    const raw = env[variable]?.trim();
    if (!raw) continue;
    const parsed = parseMailEndpoint(service, raw);
    if (typeof parsed === 'string') problems.push(`${variable}: ${parsed}`);
    else endpoints[service] = parsed;
  }
  for (const service of ['caldav', 'carddav', 'webdav'] as const) {
    const variable = ENDPOINT_VARIABLES[service];
    const raw = env[variable]?.trim();
    if (!raw) continue;
    const parsed = parseDavEndpoint(raw);
    if (typeof parsed === 'string') problems.push(`${variable}: ${parsed}`);
    else endpoints[service] = parsed;
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return endpoints;
}

function parseMailEndpoint(service: 'imap' | 'pop3' | 'smtp', raw: string): MailEndpoint | string {
  const example = `${service}.example.org:${DEFAULT_MAIL_PORTS[service].tls}:tls`;
  const [host = '', portText, securityText, ...rest] = raw.split(':');
  if (rest.length > 0 || !HOSTNAME.test(host)) {
    return `“${raw}” is not host[:port[:tls|starttls]], e.g. ${example}.`;
  }
  let security: MailSecurity = 'tls';
  if (securityText !== undefined) {
    if (securityText !== 'tls' && securityText !== 'starttls') {
      return `the security must be tls or starttls, not “${securityText}” (an app password must not travel in clear).`;
    }
    security = securityText;
  } else if (service === 'smtp' && portText === '587') {
    security = 'starttls';
  }
  let port = DEFAULT_MAIL_PORTS[service][security];
  if (portText !== undefined && portText !== '') {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
      return `“${portText}” is not a port number (1–65535), e.g. ${example}.`;
    }
  }
  return { kind: 'mail', host: host.toLowerCase(), port, security };
}

function parseDavEndpoint(raw: string): DavEndpoint | string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `“${raw}” is not a URL, e.g. https://dav.example.org/.`;
  }
  if (url.protocol !== 'https:') {
    return `“${raw}” must start with https:// (an app password must not travel in clear).`;
  }
  if (url.username || url.password || url.search || url.hash) {
    return `“${raw}” must be only https://host[:port]/path, without credentials, query or fragment.`;
  }
  if (!HOSTNAME.test(url.hostname)) return `“${url.hostname}” is not a host name.`;
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  return {
    kind: 'dav',
    url: `https://${url.host}${path}`,
    host: url.hostname,
    port: url.port ? Number(url.port) : 443,
    path,
  };
}

/** Which declared servers a password with these scopes can use, in the order apps ask. */
export function endpointsForScopes(
  endpoints: ConnectEndpoints,
  scopes: readonly AppPasswordScope[],
): { service: Protocol; endpoint: MailEndpoint | DavEndpoint }[] {
  const wanted: Protocol[] = [];
  if (scopes.includes('mail')) wanted.push('imap', 'pop3', 'smtp');
  if (scopes.includes('calendars')) wanted.push('caldav');
  if (scopes.includes('contacts')) wanted.push('carddav');
  if (scopes.includes('files')) wanted.push('webdav');
  return wanted.flatMap((service) => {
    const endpoint = endpoints[service];
    return endpoint ? [{ service, endpoint }] : [];
  });
}

/** The scopes a password has that no declared server serves (the page says to ask the provider). */
export function undeclaredScopes(
  endpoints: ConnectEndpoints,
  scopes: readonly AppPasswordScope[],
): AppPasswordScope[] {
  const served: Record<AppPasswordScope, boolean> = {
    mail: Boolean(endpoints.imap || endpoints.pop3 || endpoints.smtp),
    calendars: Boolean(endpoints.caldav),
    contacts: Boolean(endpoints.carddav),
    files: Boolean(endpoints.webdav),
  };
  return scopes.filter((scope) => !served[scope]);
}
