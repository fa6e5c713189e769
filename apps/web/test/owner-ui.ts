import { join } from 'node:path';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateTOTP } from '@oslojs/otp';
import { expect } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SCREENSHOT_DIR } from './browser.ts';
import { sidewaysOverflow } from './layout.ts';
import { mailedToken, type RunningSidekey } from './start.ts';

/** Helpers that drive the owner UI as a person would: by labels, roles and visible text. */

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

let counter = 0;
export function newOwner() {
  counter += 1;
  return {
    email: `ui-owner-${counter}-${Date.now()}@example.org`,
    password: `a calm and long password ${counter}`,
  };
}

/** The code an authenticator app would show now for the secret the page printed (RFC 6238). */
export function totpFor(secret: string): string {
  return generateTOTP(decodeBase32IgnorePadding(secret), 30, 6);
}

/** A context that records Content-Security-Policy violations and page errors. */
export async function openContext(
  browser: Browser,
  origin: string,
  options: { javaScriptEnabled?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page; problems: string[]; urls: string[] }> {
  const context = await browser.newContext({
    viewport: DESKTOP,
    javaScriptEnabled: options.javaScriptEnabled ?? true,
  });
  if (options.javaScriptEnabled !== false) {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  }
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content.Security.Policy|Refused to/i.test(message.text())) {
      problems.push(message.text());
    }
  });
  page.on('pageerror', (error) => problems.push(error.message));
  // Every URL the browser asked for, to check that no secret ever travels in one.
  const urls: string[] = [];
  context.on('request', (request) => urls.push(request.url()));
  return { context, page, problems, urls };
}

/**
 * Full-page screenshots at desktop and phone width, for a person to look at. A page that
 * scrolls sideways at either width fails here: a screenshot shows it only to whoever opens it.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const viewport = page.viewportSize() ?? DESKTOP;
  for (const [width, size] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${width}.png`), fullPage: true });
    const overflow = await sidewaysOverflow(page);
    if (overflow) throw new Error(`${name} at ${width} width: ${overflow}`);
  }
  await page.setViewportSize(viewport);
}

/** `screenshot` in the light scheme, then again as `<name>-dark`; the page is left light. */
export async function screenshotLightAndDark(page: Page, name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: 'light' });
  await screenshot(page, name);
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, `${name}-dark`);
  await page.emulateMedia({ colorScheme: 'light' });
}

export async function signUp(page: Page, app: RunningSidekey, owner = newOwner()) {
  await page.goto(new URL('/sign-up', app.url).href);
  await page.getByLabel('Email address').fill(owner.email);
  await page.getByLabel('Password', { exact: true }).fill(owner.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  // The same page whether or not the email has an account; the link is in the mail.
  await expect
    .poll(() => page.getByRole('heading', { name: 'Check your email' }).count(), {
      timeout: 15_000,
    })
    .toBe(1);
  const token = await mailedToken(app, owner.email, '/sign-up/confirm');
  await page.goto(`${new URL('/sign-up/confirm', app.url).href}#token=${token}`);
  // Without JavaScript the page cannot read the link's fragment: the code is pasted.
  const pasted = page.getByLabel('Sign-up code');
  if (await pasted.isVisible()) await pasted.fill(token);
  await page.getByRole('button', { name: 'Create my account' }).click();
  await page.waitForURL(/\/account/, { timeout: 10_000 }).catch(async (error: unknown) => {
    throw new Error(`sign-up did not reach /account: ${await page.locator('main').innerText()}`, {
      cause: error,
    });
  });
  await expect
    .poll(() => page.getByRole('heading', { name: 'Sign-In and Security' }).count())
    .toBe(1);
  return owner;
}

/**
 * Turns two-factor on from the account page; answers the secret and the recovery codes.
 * `beforeConfirm` runs while the code field is shown, to look at that step.
 */
export async function turnOnTwoFactor(
  page: Page,
  options: { beforeConfirm?: () => Promise<void> } = {},
) {
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  const secretElement = page.getByTestId('totp-secret');
  await secretElement.waitFor();
  const secret = (await secretElement.getAttribute('data-secret'))!;
  await options.beforeConfirm?.();
  await page.getByLabel('The 6-digit code the app shows').fill(totpFor(secret));
  await page.getByRole('button', { name: 'Turn on', exact: true }).click();
  const codes = page.getByTestId('recovery-codes').locator('li');
  await codes.first().waitFor();
  const recoveryCodes = await codes.allTextContents();
  await expect.poll(() => page.getByTestId('two-factor-status').textContent()).toBe('On');
  return { secret, recoveryCodes };
}

/** Opens Generate, fills the label and answers the password shown once (as its text reads). */
export async function generate(page: Page, label: string): Promise<string> {
  await page.getByRole('link', { name: 'Generate an app-specific password' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate an app-specific password' });
  await dialog.getByLabel('Label').fill(label);
  await dialog.getByRole('button', { name: 'Generate' }).click();
  return readShownPassword(page);
}

export async function readShownPassword(page: Page): Promise<string> {
  const shown = page.getByTestId('app-password');
  await shown.waitFor();
  return ((await shown.textContent()) ?? '').replace(/\s+/g, '');
}

export async function closeDialog(page: Page, name: string) {
  const dialog = page.getByRole('dialog', { name });
  await dialog.getByRole('link', { name: 'Done' }).click();
  await dialog.waitFor({ state: 'detached' });
}

/** POST /auth/verify as a relying service would: does this password sign the owner in (for `service`)? */
export async function verifies(
  base: string,
  serviceKey: string,
  username: string,
  password: string,
  service: 'imap' | 'smtp' | 'caldav' | 'carddav' = 'imap',
): Promise<{ ok: boolean; reason?: string }> {
  const response = await fetch(new URL('/auth/verify', base), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${serviceKey}` },
    body: JSON.stringify({ username, password, service, remoteAddress: '203.0.113.7' }),
  });
  return (await response.json()) as { ok: boolean; reason?: string };
}
