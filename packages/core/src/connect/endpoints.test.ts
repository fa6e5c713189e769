import { describe, expect, it } from 'vitest';
import { endpointsForScopes, readConnectEndpoints, undeclaredScopes } from './endpoints.ts';

describe('the servers the operator declares', () => {
  it('reads host, port and security, with the standard port when one is left out', () => {
    const endpoints = readConnectEndpoints({
      SIDEKEY_IMAP: 'IMAP.example.org:993:tls',
      SIDEKEY_SMTP: 'smtp.example.org:587',
      SIDEKEY_POP3: 'pop.example.org',
      SIDEKEY_CALDAV: 'https://dav.example.org/cal',
      SIDEKEY_CARDDAV: 'https://dav.example.org:8443/card/',
    });
    expect(endpoints).toEqual({
      imap: { kind: 'mail', host: 'imap.example.org', port: 993, security: 'tls' },
      smtp: { kind: 'mail', host: 'smtp.example.org', port: 587, security: 'starttls' },
      pop3: { kind: 'mail', host: 'pop.example.org', port: 995, security: 'tls' },
      caldav: {
        kind: 'dav',
        url: 'https://dav.example.org/cal/',
        host: 'dav.example.org',
        port: 443,
        path: '/cal/',
      },
      carddav: {
        kind: 'dav',
        url: 'https://dav.example.org:8443/card/',
        host: 'dav.example.org',
        port: 8443,
        path: '/card/',
      },
    });
  });

  it('declares nothing when nothing is set, so no host is ever invented', () => {
    expect(readConnectEndpoints({})).toEqual({});
    expect(undeclaredScopes({}, ['mail', 'calendars'])).toEqual(['mail', 'calendars']);
    expect(endpointsForScopes({}, ['mail'])).toEqual([]);
  });

  it('refuses a start with every mistake named by its variable', () => {
    expect(() =>
      readConnectEndpoints({
        SIDEKEY_IMAP: 'imap.example.org:99999',
        SIDEKEY_SMTP: 'smtp.example.org:25:none',
        SIDEKEY_POP3: 'not a host',
        SIDEKEY_CALDAV: 'http://dav.example.org/',
        SIDEKEY_CARDDAV: 'https://user:pw@dav.example.org/',
        SIDEKEY_WEBDAV: 'dav.example.org',
      }),
    ).toThrowError(
      new Error(
        [
          'SIDEKEY_IMAP: “99999” is not a port number (1–65535), e.g. imap.example.org:993:tls.',
          'SIDEKEY_POP3: “not a host” is not host[:port[:tls|starttls]], e.g. pop3.example.org:995:tls.',
          'SIDEKEY_SMTP: the security must be tls or starttls, not “none” (an app password must not travel in clear).',
          'SIDEKEY_CALDAV: “http://dav.example.org/” must start with https:// (an app password must not travel in clear).',
          'SIDEKEY_CARDDAV: “https://user:pw@dav.example.org/” must be only https://host[:port]/path, without credentials, query or fragment.',
          'SIDEKEY_WEBDAV: “dav.example.org” is not a URL, e.g. https://dav.example.org/.',
        ].join('\n'),
      ),
    );
  });

  it('offers a password only the servers its scopes reach', () => {
    const endpoints = readConnectEndpoints({
      SIDEKEY_IMAP: 'imap.example.org',
      SIDEKEY_SMTP: 'smtp.example.org:465:tls',
      SIDEKEY_CALDAV: 'https://dav.example.org/',
      SIDEKEY_CARDDAV: 'https://dav.example.org/',
    });
    expect(endpointsForScopes(endpoints, ['contacts', 'calendars']).map((e) => e.service)).toEqual([
      'caldav',
      'carddav',
    ]);
    expect(endpointsForScopes(endpoints, ['mail']).map((e) => e.service)).toEqual(['imap', 'smtp']);
    expect(undeclaredScopes(endpoints, ['mail', 'files'])).toEqual(['files']);
  });
});
