import { describe, expect, it } from 'vitest';
import { bearerToken } from './bearer.ts';

describe('bearerToken', () => {
  it('reads the token of a Bearer header, whatever the scheme name’s case', () => {
    expect(bearerToken('Bearer sksvc_abc')).toBe('sksvc_abc');
    expect(bearerToken('bearer   sksvc_abc  ')).toBe('sksvc_abc');
  });

  it('refuses other schemes, empty or spaced tokens and oversized headers', () => {
    for (const header of [
      null,
      undefined,
      '',
      'Basic dXNlcjpwYXNz',
      'Bearer',
      'Bearer ',
      'Bearer a b',
      `Bearer ${'a'.repeat(300)}`,
    ]) {
      expect(bearerToken(header)).toBeNull();
    }
  });
});
