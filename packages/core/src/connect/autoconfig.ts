import { XMLBuilder } from 'fast-xml-parser';
import type { ConnectEndpoints, MailEndpoint } from './endpoints.ts';

/**
 * Thunderbird's autoconfig document (clientConfig version 1.1, as served from
 * /.well-known/autoconfig/mail/config-v1.1.xml or autoconfig.<domain>/mail/config-v1.1.xml),
 * built only from the declared servers. The username is always the whole email address
 * (%EMAILADDRESS%), which is what Sidekey verifies.
 */
export function thunderbirdAutoconfig(
  endpoints: ConnectEndpoints,
  options: { domain: string; displayName: string },
): string | null {
  const incoming = [
    endpoints.imap ? mailServer('imap', endpoints.imap) : null,
    endpoints.pop3 ? mailServer('pop3', endpoints.pop3) : null,
  ].filter(Boolean);
  if (incoming.length === 0 && !endpoints.smtp) return null;
  const provider: Record<string, unknown> = {
    '@_id': options.domain,
    domain: options.domain,
    displayName: options.displayName,
    displayShortName: options.displayName,
    incomingServer: incoming,
  };
  if (endpoints.smtp) provider.outgoingServer = mailServer('smtp', endpoints.smtp);
  const config: Record<string, unknown> = { '@_version': '1.1', emailProvider: provider };
  // Address books and calendars: Thunderbird 102+ reads these from the same document.
  if (endpoints.carddav) config.addressBook = davServer('carddav', endpoints.carddav.url);
  if (endpoints.caldav) config.calendar = davServer('caldav', endpoints.caldav.url);
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    format: true,
    suppressEmptyNode: true,
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ clientConfig: config })}`;
}

function mailServer(type: 'imap' | 'pop3' | 'smtp', endpoint: MailEndpoint) {
  return {
    '@_type': type,
    hostname: endpoint.host,
    port: endpoint.port,
    socketType: endpoint.security === 'tls' ? 'SSL' : 'STARTTLS',
    username: '%EMAILADDRESS%',
    authentication: 'password-cleartext',
  };
}

function davServer(type: 'carddav' | 'caldav', url: string) {
  return {
    '@_type': type,
    username: '%EMAILADDRESS%',
    authentication: 'http-basic',
    serverURL: url,
  };
}
