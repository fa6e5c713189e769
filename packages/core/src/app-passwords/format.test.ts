import { randomBytes } from 'node:crypto';
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

  it('draws every symbol of the alphabet evenly: a chi-square test finds no bias', () => {
    const counts = symbolCounts(SAMPLES, () => generateAppPassword().canonical.slice(0, 26));
    expect(counts.size).toBe(APP_PASSWORD_ALPHABET.length);
    expect(chiSquareUniform(counts)).toBeLessThan(CRITICAL_VALUE);
  });

  it('the bias test has power: a generator with modulo bias (byte % 31) fails it', () => {
    // 256 = 8·31 + 8, so the first 8 symbols come 9/8 as often: the classic mistake.
    const biased = () =>
      Array.from(randomBytes(26), (byte) => APP_PASSWORD_ALPHABET[byte % 31]).join('');
    expect(chiSquareUniform(symbolCounts(SAMPLES, biased))).toBeGreaterThan(CRITICAL_VALUE);
  });

  it('never repeats across many generations', () => {
    const seen = new Set(Array.from({ length: 5000 }, () => generateAppPassword().canonical));
    expect(seen.size).toBe(5000);
  });
});

/**
 * Pearson's chi-square goodness-of-fit against the uniform distribution over the alphabet
 * (30 degrees of freedom). The critical value is the 1 − 10⁻⁶ quantile (Wilson–Hilferty
 * approximation, z = 4.753): an unbiased generator fails once in a million runs. With
 * 20,000 passwords (520,000 symbols) a byte % 31 bias gives a statistic near 1,500, far
 * above it, so the test cannot miss the bias it claims to catch.
 */
const SAMPLES = 20_000;
const DEGREES_OF_FREEDOM = APP_PASSWORD_ALPHABET.length - 1;
const CRITICAL_VALUE = (() => {
  const k = DEGREES_OF_FREEDOM;
  const z = 4.753;
  return k * (1 - 2 / (9 * k) + z * Math.sqrt(2 / (9 * k))) ** 3;
})();

function symbolCounts(samples: number, draw: () => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < samples; i++) {
    for (const symbol of draw()) counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
  }
  return counts;
}

function chiSquareUniform(counts: Map<string, number>): number {
  const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
  const expected = total / APP_PASSWORD_ALPHABET.length;
  let statistic = 0;
  for (const symbol of APP_PASSWORD_ALPHABET) {
    const observed = counts.get(symbol) ?? 0;
    statistic += (observed - expected) ** 2 / expected;
  }
  return statistic;
}
