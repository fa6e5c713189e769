import { describe, expect, it } from 'vitest';
import { isCrossSiteWrite } from './same-origin.ts';

const origin = 'https://sidekey.example.org';
const post = (headers: Record<string, string>, method = 'POST') =>
  new Request(`${origin}/api/trpc/appPasswords.revokeAll`, { method, headers });

describe('isCrossSiteWrite', () => {
  it('refuses a write sent by a page on another site', () => {
    expect(isCrossSiteWrite(post({ origin: 'https://evil.example' }), origin)).toBe(true);
    expect(isCrossSiteWrite(post({ 'sec-fetch-site': 'cross-site' }), origin)).toBe(true);
    expect(isCrossSiteWrite(post({ 'sec-fetch-site': 'same-site' }), origin)).toBe(true);
  });
  it('lets the owner’s own pages and servers without browser headers through', () => {
    expect(isCrossSiteWrite(post({ origin, 'sec-fetch-site': 'same-origin' }), origin)).toBe(false);
    expect(isCrossSiteWrite(post({ authorization: 'Bearer key' }), origin)).toBe(false);
  });
  it('never blocks reads', () => {
    expect(isCrossSiteWrite(post({ origin: 'https://evil.example' }, 'GET'), origin)).toBe(false);
  });
});
