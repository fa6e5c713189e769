import { describe, expect, it } from 'vitest';
import {
  approximateAddress,
  deviceInWords,
  passwordGroups,
  relativeTime,
  revokeReasonInWords,
  stateInWords,
} from './format.ts';

describe('passwordGroups', () => {
  it('splits the shown password into the groups people read and type', () => {
    expect(passwordGroups('skap-7hq2m-x9kfa-abcde-fghjk-mnpqr-stuvw')).toEqual([
      'skap',
      '7hq2m',
      'x9kfa',
      'abcde',
      'fghjk',
      'mnpqr',
      'stuvw',
    ]);
  });
  it('tolerates stray spaces and doubled dashes', () => {
    expect(passwordGroups('  skap--abcde fghjk ')).toEqual(['skap', 'abcde', 'fghjk']);
    expect(passwordGroups('')).toEqual([]);
  });
});

describe('approximateAddress', () => {
  it('keeps only the /24 of an IPv4 address', () => {
    expect(approximateAddress('203.0.113.77')).toBe('203.0.113.0/24');
    expect(approximateAddress('::ffff:198.51.100.9')).toBe('198.51.100.0/24');
  });
  it('keeps only the /48 of an IPv6 address', () => {
    expect(approximateAddress('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    expect(approximateAddress('2001:0DB8:0000:0012:0000:0000:0000:0001')).toBe('2001:db8:0::/48');
    expect(approximateAddress('::1')).toBe('0:0:0::/48');
    expect(approximateAddress('fe80::1%eth0')).toBe('fe80:0:0::/48');
  });
  it('says nothing rather than something wrong for missing or garbled input', () => {
    for (const input of [
      null,
      undefined,
      '',
      'localhost',
      '300.1.1.1',
      '1.2.3',
      '1:2:3',
      'a::b::c',
    ]) {
      expect(approximateAddress(input), String(input)).toBeNull();
    }
  });
});

describe('words for states and reasons', () => {
  it('names every state the list shows', () => {
    expect(stateInWords('pending')).toBe('Waiting for first use');
    expect(stateInWords('active')).toBe('In use');
    expect(stateInWords('revoked')).toBe('Revoked');
  });
  it('explains every revoke reason, and an unknown one without a code', () => {
    expect(revokeReasonInWords('password_changed')).toBe('your password was changed');
    expect(revokeReasonInWords('two_factor_disabled')).toBe(
      'two-factor authentication was turned off',
    );
    expect(revokeReasonInWords('something_new')).toBe('it was revoked');
    expect(revokeReasonInWords(null)).toBe('it was revoked');
  });
});

describe('relativeTime', () => {
  const now = new Date('2026-11-25T12:00:00Z');
  const ago = (ms: number) => relativeTime(new Date(now.getTime() - ms), now);
  it('reads like a person would say it', () => {
    expect(ago(10_000)).toBe('just now');
    expect(ago(60_000)).toBe('1 minute ago');
    expect(ago(5 * 60_000)).toBe('5 minutes ago');
    expect(ago(3 * 3_600_000)).toBe('3 hours ago');
    expect(ago(2 * 86_400_000)).toBe('2 days ago');
    expect(ago(30 * 86_400_000)).toBe('on 26 Oct 2026');
  });
  it('does not claim the future happened', () => {
    expect(ago(-5_000)).toBe('just now');
  });
});

describe('deviceInWords', () => {
  it('names common browsers and systems', () => {
    expect(
      deviceInWords(
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36',
      ),
    ).toBe('Chrome on Linux');
    expect(
      deviceInWords(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile/15E148 Safari/604.1',
      ),
    ).toBe('Safari on iOS');
    expect(
      deviceInWords('Mozilla/5.0 (Windows NT 10.0; rv:140.0) Gecko/20100101 Firefox/140.0'),
    ).toBe('Firefox on Windows');
    expect(deviceInWords(null)).toBe('An unknown device');
  });
});
