import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { thunderbirdAutoconfig } from './autoconfig.ts';
import { readConnectEndpoints } from './endpoints.ts';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_' });

describe("Thunderbird's autoconfig document", () => {
  it('lists the declared servers with the email address as username', () => {
    const xml = thunderbirdAutoconfig(
      readConnectEndpoints({
        SIDEKEY_IMAP: 'imap.example.org:993:tls',
        SIDEKEY_SMTP: 'smtp.example.org:587:starttls',
        SIDEKEY_CARDDAV: 'https://dav.example.org/card/',
        SIDEKEY_CALDAV: 'https://dav.example.org/cal/',
      }),
      { domain: 'example.org', displayName: 'Example & Co' },
    );
    const { clientConfig } = parser.parse(xml!);
    expect(clientConfig['@_version']).toBe('1.1');
    const provider = clientConfig.emailProvider;
    expect(provider['@_id']).toBe('example.org');
    expect(provider.domain).toBe('example.org');
    expect(provider.displayName).toBe('Example & Co');
    expect(provider.incomingServer).toEqual({
      '@_type': 'imap',
      hostname: 'imap.example.org',
      port: 993,
      socketType: 'SSL',
      username: '%EMAILADDRESS%',
      authentication: 'password-cleartext',
    });
    expect(provider.outgoingServer).toMatchObject({
      '@_type': 'smtp',
      hostname: 'smtp.example.org',
      port: 587,
      socketType: 'STARTTLS',
    });
    expect(clientConfig.addressBook).toMatchObject({
      '@_type': 'carddav',
      serverURL: 'https://dav.example.org/card/',
    });
    expect(clientConfig.calendar).toMatchObject({
      '@_type': 'caldav',
      serverURL: 'https://dav.example.org/cal/',
    });
  });

  it('is absent when no mail server is declared', () => {
    expect(thunderbirdAutoconfig({}, { domain: 'example.org', displayName: 'x' })).toBeNull();
  });
});
