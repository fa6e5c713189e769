import { describe, expect, it } from 'vitest';
import { networkOf } from './network.ts';

describe('networkOf', () => {
  it('names the /24 of an IPv4 address and the /48 of an IPv6 one', () => {
    expect(networkOf('203.0.113.77')).toBe('203.0.113.0/24');
    expect(networkOf('::ffff:198.51.100.9')).toBe('198.51.100.0/24');
    expect(networkOf('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    expect(networkOf('2001:0DB8:0000:0012::1')).toBe('2001:db8:0::/48');
  });

  it('has no network for no or a malformed address', () => {
    expect(networkOf(null)).toBeNull();
    expect(networkOf('')).toBeNull();
    expect(networkOf('999.0.0.1')).toBeNull();
    expect(networkOf('not an address')).toBeNull();
  });
});
