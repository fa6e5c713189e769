import { randomBytes } from 'node:crypto';
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import { createTOTPKeyURI, generateHOTP, verifyHOTP } from '@oslojs/otp';
import QRCode from 'qrcode';

/** RFC 6238 defaults every authenticator app understands: 30-second steps, 6 digits, HMAC-SHA-1. */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** RFC 6238 §5.2: accept one step either side for clock drift and typing time. */
export const TOTP_WINDOW_STEPS = 1;
/** RFC 4226 §4 asks for at least 128 bits; 160 is the length of an HMAC-SHA-1 key. */
const SECRET_BYTES = 20;
export const TOTP_ISSUER = 'Sidekey';

export function newTotpSecret(): Uint8Array {
  return new Uint8Array(randomBytes(SECRET_BYTES));
}

export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code for a step: TOTP is HOTP with the step as counter (RFC 6238 §4). */
export function totpCodeAt(secret: Uint8Array, step: number): string {
  return generateHOTP(secret, BigInt(step), TOTP_DIGITS);
}

/**
 * The step whose code `code` is, within ±1 step of `at`, or null. The step (not just a
 * yes/no) is returned so the caller can refuse a step already used (RFC 6238 §5.2).
 * The clock is Sidekey's injected one, which is why this goes through HOTP per step
 * rather than @oslojs/otp's verifyTOTP, which reads the wall clock.
 */
/** How many TOTP codes were checked in this process (tests count evaluations with it). */
export const totpStats = { checks: 0 };

export function matchTotpStep(secret: Uint8Array, code: string, at: Date): number | null {
  totpStats.checks++;
  const digits = code.replace(/[\s-]/g, '');
  if (!/^\d{6}$/.test(digits)) return null;
  const current = totpStep(at);
  let matched: number | null = null;
  // Every candidate is checked (constant-time compare each) so timing says nothing of which one matched.
  for (let step = current - TOTP_WINDOW_STEPS; step <= current + TOTP_WINDOW_STEPS; step++) {
    if (verifyHOTP(secret, BigInt(step), TOTP_DIGITS, digits) && matched === null) matched = step;
  }
  return matched;
}

export function encodeTotpSecret(secret: Uint8Array): string {
  return encodeBase32UpperCaseNoPadding(secret);
}

export function otpauthUri(email: string, secret: Uint8Array): string {
  return createTOTPKeyURI(TOTP_ISSUER, email, secret, TOTP_PERIOD_SECONDS, TOTP_DIGITS);
}

/** The otpauth URI as an SVG QR code, to scan from the enrolment page. */
export function qrCodeSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
