import { parse as parsePlist } from 'plist';

type PlistObject = Record<string, unknown>;
import { describe, expect, it } from 'vitest';
import { appleProfile } from './apple-profile.ts';
import { readConnectEndpoints } from './endpoints.ts';

const endpoints = readConnectEndpoints({
  SIDEKEY_IMAP: 'imap.example.org:993:tls',
  SIDEKEY_SMTP: 'smtp.example.org:587:starttls',
  SIDEKEY_CALDAV: 'https://dav.example.org/caldav/',
  SIDEKEY_CARDDAV: 'https://dav.example.org/carddav/',
});
const password = 'skap-abcde-fghij-kmnpq-rstuv-wxyz2-3456a';
const base = {
  email: 'owner@example.org',
  password,
  label: 'iPhone <&> "mail"',
  credentialId: '6f1c2c1e-0000-4000-8000-000000000001',
  endpoints,
  organization: 'sidekey.example.org',
};

/** The keys every payload must carry (Apple Device Management: "Common payload keys"). */
const COMMON_KEYS = [
  'PayloadType',
  'PayloadVersion',
  'PayloadIdentifier',
  'PayloadUUID',
  'PayloadDisplayName',
];
const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/;

function parse(xml: string | null) {
  expect(xml).not.toBeNull();
  const profile = parsePlist(xml!) as PlistObject;
  const content = profile.PayloadContent as PlistObject[];
  for (const payload of [profile, ...content]) {
    for (const key of COMMON_KEYS) expect(payload, key).toHaveProperty(key);
    expect(payload.PayloadVersion).toBe(1);
    expect(payload.PayloadUUID).toMatch(UUID);
  }
  return { profile, content };
}

describe('the Apple configuration profile', () => {
  it('holds mail (IMAP + SMTP), calendars and contacts when the password reaches all three', () => {
    const { profile, content } = parse(
      appleProfile({ ...base, scopes: ['mail', 'calendars', 'contacts'] }),
    );
    expect(profile.PayloadType).toBe('Configuration');
    expect(profile.PayloadIdentifier).toBe(`org.example.sidekey.sidekey.${base.credentialId}`);
    expect(content.map((p) => p.PayloadType)).toEqual([
      'com.apple.mail.managed',
      'com.apple.caldav.account',
      'com.apple.carddav.account',
    ]);
    const uuids = [profile, ...content].map((p) => p.PayloadUUID);
    expect(new Set(uuids).size).toBe(4);
    const [mail, caldav, carddav] = content;
    expect(mail).toMatchObject({
      EmailAccountType: 'EmailTypeIMAP',
      EmailAddress: 'owner@example.org',
      IncomingMailServerAuthentication: 'EmailAuthPassword',
      IncomingMailServerHostName: 'imap.example.org',
      IncomingMailServerPortNumber: 993,
      IncomingMailServerUseSSL: true,
      IncomingMailServerUsername: 'owner@example.org',
      IncomingPassword: password,
      OutgoingMailServerAuthentication: 'EmailAuthPassword',
      OutgoingMailServerHostName: 'smtp.example.org',
      OutgoingMailServerPortNumber: 587,
      OutgoingMailServerUseSSL: true,
      OutgoingMailServerUsername: 'owner@example.org',
      OutgoingPassword: password,
    });
    expect(caldav).toMatchObject({
      CalDAVHostName: 'dav.example.org',
      CalDAVPort: 443,
      CalDAVUseSSL: true,
      CalDAVUsername: 'owner@example.org',
      CalDAVPassword: password,
      CalDAVPrincipalURL: 'https://dav.example.org/caldav/',
    });
    expect(carddav).toMatchObject({
      CardDAVHostName: 'dav.example.org',
      CardDAVPort: 443,
      CardDAVUseSSL: true,
      CardDAVUsername: 'owner@example.org',
      CardDAVPassword: password,
    });
    // A label with XML's special characters survives the round trip intact.
    expect(String(mail!.PayloadDisplayName)).toContain('iPhone <&> "mail"');
  });

  it('holds only what the scopes allow: contacts and calendars for DAVx⁵-like passwords', () => {
    const { content } = parse(appleProfile({ ...base, scopes: ['contacts'] }));
    expect(content.map((p) => p.PayloadType)).toEqual(['com.apple.carddav.account']);
    expect(JSON.stringify(content)).not.toContain('imap.example.org');
  });

  it('is not offered when nothing the password reaches is declared', () => {
    expect(appleProfile({ ...base, scopes: ['files'] })).toBeNull();
    expect(appleProfile({ ...base, endpoints: {}, scopes: ['mail'] })).toBeNull();
    // Apple Mail needs an outgoing server too: IMAP alone makes no mail account.
    expect(
      appleProfile({ ...base, endpoints: { imap: endpoints.imap }, scopes: ['mail'] }),
    ).toBeNull();
  });
});
