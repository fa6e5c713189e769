import { describe, expect, it } from 'vitest';
import {
  APP_PASSWORD_ALPHABET,
  APP_PASSWORD_ENTROPY_BITS,
  APP_PASSWORD_PATTERN,
  generateAppPassword,
  parseAppPassword,
} from './format.ts';

describe('app password format', () => {
  it('carries at least 128 bits from the random part', () => {
    expect(APP_PASSWORD_ENTROPY_BITS).toBeGreaterThanOrEqual(128);
  });

  it('is typeable: prefix, groups of five, no look-alike characters', () => {
    const { display } = generateAppPassword();
    expect(display).toMatch(/^skap(-[a-z2-9]{5}){6}$/);
    expect(display.slice(5)).not.toMatch(/[01ilo]/);
    expect(display).toMatch(APP_PASSWORD_PATTERN);
  });

  it('round-trips: what is shown parses back to what is hashed', () => {
    const generated = generateAppPassword();
    expect(parseAppPassword(generated.display)).toEqual({
      ok: true,
      canonical: generated.canonical,
    });
  });

  it('normalises case, dashes and spaces, with or without the prefix', () => {
    const { display, canonical } = generateAppPassword();
    const groups = display.split('-');
    for (const typed of [
      display.toUpperCase(),
      groups.join(' '),
      `  ${groups.slice(1).join('')}  `,
      groups.slice(1).join('-'),
    ]) {
      expect(parseAppPassword(typed)).toEqual({ ok: true, canonical });
    }
  });

  it('refuses a single typo by checksum before any database work', () => {
    const { display } = generateAppPassword();
    const last = display.at(-1)!;
    const replacement =
      APP_PASSWORD_ALPHABET[
        (APP_PASSWORD_ALPHABET.indexOf(last) + 1) % APP_PASSWORD_ALPHABET.length
      ];
    expect(parseAppPassword(display.slice(0, -1) + replacement)).toEqual({
      ok: false,
      problem: 'checksum',
    });
    // Two neighbouring symbols swapped is the other common slip.
    const body = display.split('-')[1]!;
    const swapped = body[1]! + body[0]! + body.slice(2);
    if (swapped !== body) {
      expect(parseAppPassword(display.replace(body, swapped))).toEqual({
        ok: false,
        problem: 'checksum',
      });
    }
  });

  it('refuses garbage, wrong lengths, foreign characters and huge input as malformed', () => {
    for (const input of [
      '',
      'hunter2',
      'skap-',
      'x'.repeat(10_000),
      'skap-aaaaa-aaaaa-aaaaa-aaaaa-aaaaa-aaa0a',
      '🔑'.repeat(30),
    ]) {
      expect(parseAppPassword(input)).toEqual({ ok: false, problem: 'malformed' });
    }
  });

  it('draws every symbol of the alphabet, roughly evenly (no modulo bias)', () => {
    const counts = new Map<string, number>();
    const samples = 2000;
    for (let i = 0; i < samples; i++) {
      for (const symbol of generateAppPassword().canonical.slice(0, 26))
        counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
    }
    expect(counts.size).toBe(APP_PASSWORD_ALPHABET.length);
    const expected = (samples * 26) / APP_PASSWORD_ALPHABET.length;
    for (const count of counts.values())
      expect(Math.abs(count - expected) / expected).toBeLessThan(0.15);
  });

  it('never repeats across many generations', () => {
    const seen = new Set(Array.from({ length: 5000 }, () => generateAppPassword().canonical));
    expect(seen.size).toBe(5000);
  });
});
