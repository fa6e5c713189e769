import { describe, expect, it } from 'vitest';
import { parseTrustedProxies, resolveClientAddress } from './client-address.ts';

describe('the client address behind trusted proxies', () => {
  const trusted = parseTrustedProxies('127.0.0.1/32, ::1/128, 10.0.0.0/8');

  it('trusts no one by default: a forwarding header is ignored', () => {
    const none = parseTrustedProxies(undefined);
    expect(resolveClientAddress('203.0.113.9', '198.51.100.1', none)).toBe('203.0.113.9');
    expect(resolveClientAddress('127.0.0.1', '198.51.100.1', none)).toBe('127.0.0.1');
  });

  it('takes the rightmost hop that is not a trusted proxy', () => {
    expect(resolveClientAddress('127.0.0.1', '198.51.100.1', trusted)).toBe('198.51.100.1');
    // The client wrote the leftmost entries itself: they count for nothing.
    expect(resolveClientAddress('127.0.0.1', '6.6.6.6, 198.51.100.1, 10.1.2.3', trusted)).toBe(
      '198.51.100.1',
    );
    expect(resolveClientAddress('::ffff:127.0.0.1', '198.51.100.1', trusted)).toBe('198.51.100.1');
  });

  it('ignores the header from a peer that is not trusted', () => {
    expect(resolveClientAddress('203.0.113.9', '127.0.0.1', trusted)).toBe('203.0.113.9');
    expect(resolveClientAddress('::ffff:203.0.113.9', undefined, trusted)).toBe('203.0.113.9');
  });

  it('refuses a list that is not addresses or CIDR ranges, naming the setting', () => {
    expect(() => parseTrustedProxies('10.0.0.0/8, my-proxy')).toThrow(/SIDEKEY_TRUSTED_PROXIES/);
    expect(() => parseTrustedProxies('10.0.0.0/99')).toThrow(/SIDEKEY_TRUSTED_PROXIES/);
  });
});
