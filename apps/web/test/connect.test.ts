import { readFileSync } from 'node:fs';
import { connectLinks } from '@sidekey/db';
import { XMLParser } from 'fast-xml-parser';
import type { Browser, Page } from 'playwright-core';
import { parse as parsePlist } from 'plist';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from './axe.ts';
import { browserUnavailable, launchBrowser } from './browser.ts';
import {
  closeDialog,
  openContext,
  PHONE,
  readShownPassword,
  screenshot,
  signUp,
  turnOnTwoFactor,
  verifies,
} from './owner-ui.ts';
import { seededStore, type SeededStore } from './seeded.ts';
import { startSidekey, type RunningSidekey } from './start.ts';

// Connecting an app: the servers the operator declared, the reveal, the Apple profile, the
// QR code's single-use link on a phone, and the documents mail clients look settings up in.
const ENDPOINTS = {
  SIDEKEY_IMAP: 'imap.example.org:993:tls',
  SIDEKEY_SMTP: 'smtp.example.org:587:starttls',
  SIDEKEY_CALDAV: 'https://dav.example.org/caldav/',
  SIDEKEY_CARDDAV: 'https://dav.example.org/carddav/',
};
let store: SeededStore;
let app: RunningSidekey;
let browser: Browser;
let serviceKey = '';

type Payload = Record<string, unknown>;

beforeAll(async () => {
  store = await seededStore();
  const { sidekey, database } = await store.open();
  serviceKey = (await sidekey.serviceKeys.create('connect-test', { actor: 'operator' })).key;
  await database.close();
  [app, browser] = await Promise.all([
    startSidekey({ ...store.env, ...ENDPOINTS }),
    browserUnavailable ? Promise.resolve(undefined as unknown as Browser) : launchBrowser(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await store?.dispose();
});

/** Opens Generate, picks a suggested app, and generates; answers the password shown. */
async function generateFor(page: Page, suggestion: string, label?: string) {
  await page.getByRole('link', { name: 'Generate an app-specific password' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate an app-specific password' });
  await dialog.getByRole('button', { name: suggestion, exact: true }).click();
  if (label) await dialog.getByLabel('Label').fill(label);
  await dialog.getByRole('button', { name: 'Generate', exact: true }).click();
  return readShownPassword(page);
}

async function phoneLink(page: Page): Promise<string> {
  return (await page.locator('[data-connect-link]').getAttribute('data-connect-link'))!;
}

/**
 * Opens a phone link and waits until the page has taken its token from the fragment (it
 * clears the address bar then): a tap before that, on a busy machine, sends no token.
 */
async function openPhoneLink(page: Page, link: string) {
  await page.goto(link);
  await expect.poll(() => page.url(), { timeout: 60_000 }).toBe(new URL('/connect', link).href);
}

function parseProfile(xml: string) {
  const profile = parsePlist(xml) as Payload;
  return { profile, content: profile.PayloadContent as Payload[] };
}

describe.skipIf(browserUnavailable)('connecting an app', () => {
  it(
    'shows username, servers and steps; the profile holds exactly what the scopes allow',
    { timeout: 240_000 },
    async () => {
      const { context, page, problems, urls } = await openContext(browser, app.url);
      const owner = await signUp(page, app);
      await turnOnTwoFactor(page);

      // A suggested app fills the label and picks its scopes: DAVx⁵ gets contacts and calendars.
      await page.getByRole('link', { name: 'Generate an app-specific password' }).click();
      const dialog = page.getByRole('dialog', { name: 'Generate an app-specific password' });
      await dialog.getByRole('button', { name: 'DAVx⁵', exact: true }).click();
      expect(await dialog.getByLabel('Label').inputValue()).toBe('DAVx⁵');
      const checked = await dialog
        .locator('input[name="scopes"]:checked')
        .evaluateAll((boxes) => boxes.map((box) => (box as HTMLInputElement).value));
      expect(checked).toEqual(['contacts', 'calendars']);
      // The 64-character limit is shown while typing.
      expect(await dialog.getByText('5 of 64 characters').count()).toBe(1);
      await dialog.getByLabel('Stops working').selectOption('30');
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'generate-dialog');
      await dialog.getByRole('button', { name: 'Generate', exact: true }).click();
      const password = await readShownPassword(page);

      // Username and password side by side, each with Copy.
      expect(await page.getByTestId('app-username').textContent()).toBe(owner.email);
      await page.getByRole('button', { name: 'Copy username' }).click();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(owner.email);
      // Only the servers this password reaches: no mail for DAVx⁵.
      const settings = await page.getByTestId('server-settings').innerText();
      expect(settings).toContain('https://dav.example.org/caldav/');
      expect(settings).toContain('https://dav.example.org/carddav/');
      expect(settings).not.toContain('imap.example.org');
      await page.getByText('DAVx⁵ (Android calendars and contacts)').click();
      await page.getByText('Login with URL and user name', { exact: false }).waitFor();
      expect(await page.getByText('K-9 Mail').count()).toBe(0);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'generated-connect');

      // The profile for Apple devices, as downloaded, read back by a plist parser.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download profile for Mac, iPhone or iPad' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('sidekey-DAVx.mobileconfig');
      const { profile, content } = parseProfile(readFileSync((await download.path())!, 'utf8'));
      expect(profile.PayloadType).toBe('Configuration');
      expect(content.map((p) => p.PayloadType)).toEqual([
        'com.apple.caldav.account',
        'com.apple.carddav.account',
      ]);
      expect(content[0]).toMatchObject({
        CalDAVHostName: 'dav.example.org',
        CalDAVPort: 443,
        CalDAVUseSSL: true,
        CalDAVUsername: owner.email,
        CalDAVPassword: password,
      });
      expect(content[1]).toMatchObject({ CardDAVUsername: owner.email, CardDAVPassword: password });

      await closeDialog(page, 'Your new app-specific password');
      const row = page.getByTestId('app-password-row').filter({ hasText: 'DAVx⁵' });
      expect(await row.textContent()).toMatch(/Stops working/);
      // Its history is one click away, in words.
      await row.getByRole('link', { name: 'History of “DAVx⁵”' }).click();
      await page.waitForURL(/\/flows\/credential\//);

      // A second password with the same label is refused beside the field.
      await page.goto(new URL('/account', app.url).href);
      await page.getByRole('link', { name: 'Generate an app-specific password' }).click();
      await dialog.getByLabel('Label').fill('davx⁵');
      await dialog.getByRole('button', { name: 'Generate', exact: true }).click();
      const label = dialog.getByLabel('Label');
      await expect.poll(() => label.getAttribute('aria-invalid')).toBe('true');
      expect(await dialog.getByText('You already have a password called').count()).toBe(1);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'generate-duplicate-label');
      await dialog.getByRole('link', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });

      // Renaming keeps the password and shows the new label at once.
      const only = page.getByTestId('app-password-row').first();
      await only.getByText('Rename').click();
      expect(await only.getByLabel('New label').inputValue()).toBe('DAVx⁵');
      await only.getByLabel('New label').fill('Phone calendars');
      await only.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.getByText('Renamed to “Phone calendars”.').count()).toBe(1);
      expect(await page.getByTestId('app-password-row').first().locator('h3').textContent()).toBe(
        'Phone calendars',
      );
      expect(await verifies(app.url, serviceKey, owner.email, password)).toMatchObject({
        ok: false,
        reason: 'scope_denied',
      });
      // A refusal for something the password does not reach shows on its row, in words.
      await page.reload();
      expect(await page.getByTestId('scope-refusal').textContent()).toMatch(
        /an app tried to reach your mail with it, which this password does not allow/,
      );
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'account-renamed-refused');
      expect(problems).toEqual([]);
      expect(urls.filter((url) => url.includes(password))).toEqual([]);
      await context.close();
    },
  );

  it(
    'hands the password to a phone once through the QR code’s link',
    { timeout: 240_000 },
    async () => {
      const desk = await openContext(browser, app.url);
      const owner = await signUp(desk.page, app);
      await turnOnTwoFactor(desk.page);
      const password = await generateFor(desk.page, 'Thunderbird for Android', 'Pixel mail');
      const link = await phoneLink(desk.page);
      // The token travels only in the fragment, which browsers never send to a server.
      expect(link).toMatch(/\/connect#t=[\w-]{43}$/);
      const token = link.split('#t=')[1]!;

      const phone = await openContext(browser, app.url);
      await phone.page.setViewportSize(PHONE);
      await openPhoneLink(phone.page, link);
      expect(await axeViolations(phone.page)).toEqual([]);
      await screenshot(phone.page, 'connect-phone');
      await phone.page.getByRole('button', { name: 'Show the settings and password' }).click();
      expect(await readShownPassword(phone.page)).toBe(password);
      expect(await phone.page.getByTestId('app-username').textContent()).toBe(owner.email);
      expect(await phone.page.getByTestId('server-settings').innerText()).toContain(
        'imap.example.org',
      );
      expect(await axeViolations(phone.page)).toEqual([]);
      await screenshot(phone.page, 'connect-phone-shown');
      expect(await verifies(app.url, serviceKey, owner.email, password)).toMatchObject({
        ok: true,
      });

      // A second use is refused, and says what to do.
      const again = await openContext(browser, app.url);
      await openPhoneLink(again.page, link);
      await again.page.getByRole('button', { name: 'Show the settings and password' }).click();
      await expect
        .poll(() => again.page.getByRole('alert').textContent())
        .toMatch(/already used or has expired/);
      expect(await readShownPassword(again.page).catch(() => '')).toBe('');
      await screenshot(again.page, 'connect-phone-refused');

      // On an iPhone the same kind of link installs the profile directly.
      await closeDialog(desk.page, 'Your new app-specific password');
      const second = await generateFor(desk.page, 'iPhone', 'My iPhone');
      const profileLink = await phoneLink(desk.page);
      const iphone = await openContext(browser, app.url);
      await openPhoneLink(iphone.page, profileLink);
      const [download] = await Promise.all([
        iphone.page.waitForEvent('download'),
        iphone.page.getByRole('button', { name: 'Install on this iPhone or iPad' }).click(),
      ]);
      const { content } = parseProfile(readFileSync((await download.path())!, 'utf8'));
      expect(content.map((p) => p.PayloadType)).toEqual([
        'com.apple.mail.managed',
        'com.apple.caldav.account',
        'com.apple.carddav.account',
      ]);
      expect(content[0]).toMatchObject({
        EmailAccountType: 'EmailTypeIMAP',
        IncomingMailServerHostName: 'imap.example.org',
        IncomingMailServerPortNumber: 993,
        OutgoingMailServerHostName: 'smtp.example.org',
        OutgoingMailServerPortNumber: 587,
        IncomingPassword: second,
      });
      // Spent: the profile is not handed out twice.
      const replay = await fetch(new URL('/connect/profile', app.url), {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: app.url.replace(/\/$/, ''),
        },
        body: `token=${profileLink.split('#t=')[1]}`,
      });
      expect(replay.status).toBe(410);
      expect(await replay.text()).not.toContain('skap-');

      // No token ever reached the server in a URL, nor the log.
      for (const { urls } of [desk, phone, again, iphone]) {
        expect(urls.filter((url) => url.includes(token) && !url.includes('#'))).toEqual([]);
      }
      expect(app.output()).not.toContain(token);
      expect(app.output()).not.toMatch(/skap-/);
      for (const { context } of [desk, phone, again, iphone]) await context.close();
    },
  );
});

// Ageing a link needs the database while the server runs: only Postgres allows a second process.
describe.skipIf(browserUnavailable || !process.env.DATABASE_URL)('a late phone link', () => {
  it('is refused after its ten minutes', { timeout: 180_000 }, async () => {
    const desk = await openContext(browser, app.url);
    await signUp(desk.page, app);
    await turnOnTwoFactor(desk.page);
    await generateFor(desk.page, 'Outlook');
    const link = await phoneLink(desk.page);
    const { database } = await store.open();
    await database.db.update(connectLinks).set({ expiresAt: new Date(Date.now() - 60_000) });
    await database.close();
    const phone = await openContext(browser, app.url);
    await openPhoneLink(phone.page, link);
    await phone.page.getByRole('button', { name: 'Show the settings and password' }).click();
    await expect
      .poll(() => phone.page.getByRole('alert').textContent())
      .toMatch(/already used or has expired/);
    await desk.context.close();
    await phone.context.close();
  });
});

describe('documents mail and calendar apps look settings up in', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_' });

  it('serves Thunderbird autoconfig at both locations, from the declared servers', async () => {
    for (const path of [
      '/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=someone%40example.net',
      '/mail/config-v1.1.xml?emailaddress=someone%40example.net',
    ]) {
      const response = await fetch(new URL(path, app.url));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/xml/);
      const { clientConfig } = parser.parse(await response.text());
      expect(clientConfig.emailProvider.domain).toBe('example.net');
      expect(clientConfig.emailProvider.incomingServer).toMatchObject({
        '@_type': 'imap',
        hostname: 'imap.example.org',
        port: 993,
        socketType: 'SSL',
        username: '%EMAILADDRESS%',
      });
      expect(clientConfig.emailProvider.outgoingServer).toMatchObject({
        hostname: 'smtp.example.org',
        port: 587,
        socketType: 'STARTTLS',
      });
    }
  });

  it('redirects /.well-known/caldav and /.well-known/carddav (RFC 6764)', async () => {
    for (const [path, target] of [
      ['/.well-known/caldav', ENDPOINTS.SIDEKEY_CALDAV],
      ['/.well-known/carddav', ENDPOINTS.SIDEKEY_CARDDAV],
    ] as const) {
      const response = await fetch(new URL(path, app.url), { redirect: 'manual' });
      expect(response.status).toBe(301);
      expect(response.headers.get('location')).toBe(target);
    }
  });

  it('refuses to start with a mistyped server, naming the variable', async () => {
    await expect(startSidekey({ SIDEKEY_IMAP: 'imap.example.org:99999' })).rejects.toThrow(
      /SIDEKEY_IMAP: “99999” is not a port number/,
    );
  });
});
