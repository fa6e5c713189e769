import { signUpOwner } from '@sidekey/core/testing';
import { accounts, outbox, sessions } from '@sidekey/db';
import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from './axe.ts';
import { browserUnavailable, launchBrowser } from './browser.ts';
import { unstyledFieldsLightAndDark } from './field-style.ts';
import {
  closeDialog,
  generate,
  newOwner,
  openContext,
  readShownPassword,
  screenshot,
  screenshotLightAndDark,
  signUp,
  turnOnTwoFactor,
  verifies,
} from './owner-ui.ts';
import { seededStore, type SeededStore } from './seeded.ts';
import { startSidekey, type RunningSidekey } from './start.ts';

// The owner's web UI in Debian's Chromium, against the real server (node server.js).
let store: SeededStore;
let app: RunningSidekey;
let browser: Browser;
const seed = {
  serviceKey: '',
  fullEmail: '',
  fullPassword: '',
  fullRecoveryCodes: [] as string[],
  /** Owners who asked for a reset link (one for the browser with JavaScript, one without). */
  resets: [] as Array<{ email: string; appPassword: string; token: string }>,
};

beforeAll(async () => {
  store = await seededStore();
  const { sidekey, database } = await store.open();
  const service = await sidekey.serviceKeys.create('ui-test-mail', { actor: 'operator' });
  // An owner already at the limit of 25, for the page that explains it.
  const full = await signUpOwner(sidekey);
  for (let i = 1; i <= 25; i++) {
    await sidekey.appPasswords.generate(
      full.accountId,
      { label: `Device ${i}` },
      { actor: 'owner' },
    );
  }
  // Reset links as the mail in the outbox carries them (SMTP_URL is unset here).
  for (const _ of [1, 2]) {
    const owner = await signUpOwner(sidekey);
    const { password } = await sidekey.appPasswords.generate(
      owner.accountId,
      { label: 'Mail' },
      { actor: 'owner' },
    );
    await sidekey.passwords.requestPasswordReset({ email: owner.email }, { actor: 'anonymous' });
    await sidekey.mailer.settled(); // the link is mailed after the answer
    const mails = await database.db.select().from(outbox).where(eq(outbox.recipient, owner.email));
    const token = /\/reset-password#token=([\w-]+)/.exec(mails.at(-1)!.body)![1]!;
    seed.resets.push({ email: owner.email, appPassword: password, token });
  }
  Object.assign(seed, {
    serviceKey: service.key,
    fullEmail: full.email,
    fullPassword: full.password,
    fullRecoveryCodes: full.recoveryCodes,
  });
  await database.close();
  [app, browser] = await Promise.all([
    startSidekey(store.env),
    browserUnavailable ? Promise.resolve(undefined as unknown as Browser) : launchBrowser(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await store?.dispose();
});

describe.skipIf(browserUnavailable)('the owner UI in a real browser', () => {
  it(
    'sign up → two-factor → generate, copy, verify → remove → revoke all → change password',
    { timeout: 240_000 },
    async () => {
      const { context, page, problems, urls } = await openContext(browser, app.url);
      await page.goto(new URL('/sign-up', app.url).href);
      await screenshot(page, 'sign-up');
      const owner = await signUp(page, app);

      // Generate waits for two-factor, and says so.
      await expect
        .poll(() => page.getByText('Turn on two-factor authentication first').count())
        .toBe(1);
      await screenshot(page, 'account-new');
      const { recoveryCodes } = await turnOnTwoFactor(page, {
        beforeConfirm: async () => {
          // The button just used is gone: focus lands on the next step's heading.
          await expect
            .poll(() => page.evaluate(() => document.activeElement?.textContent))
            .toBe('Scan this code with your authenticator app');
          // The code field is a real field, light and dark, not the browser's bare box.
          expect(await unstyledFieldsLightAndDark(page)).toEqual([]);
          await screenshotLightAndDark(page, 'two-factor-enrol');
        },
      });
      expect(recoveryCodes).toHaveLength(10);
      // Focus lands on the codes, the thing to act on next.
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(
        'Your recovery codes',
      );
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'two-factor-recovery-codes');

      // Generate: the password is shown once, grouped, and the Copy button copies exactly it.
      const password = await generate(page, 'Thunderbird');
      expect(password).toMatch(/^skap(-[a-z2-9]{5}){6}$/);
      await expect.poll(() => page.getByTestId('app-password').locator('.group').count()).toBe(7);
      await expect.poll(() => page.getByText("You won't see this password again").count()).toBe(1);
      await page.getByRole('button', { name: 'Copy password' }).click();
      await expect.poll(() => page.getByText('Copied to the clipboard.').count()).toBe(1);
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(password);
      // Without declared servers the page never invents a host: it says whom to ask.
      expect(await page.getByTestId('app-username').textContent()).toBe(owner.email);
      expect(await page.getByTestId('undeclared-servers').textContent()).toMatch(
        /this Sidekey was not told which servers to use/,
      );
      expect(await page.getByTestId('server-settings').count()).toBe(0);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'generated-password');
      await closeDialog(page, 'Your new app-specific password');
      // Focus lands on the new password's row, not on the page's top.
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.textContent), { timeout: 10_000 })
        .toBe('Thunderbird');

      expect(await verifies(app.url, seed.serviceKey, owner.email, password)).toMatchObject({
        ok: true,
      });
      // The open page notices the first use by itself (it asks /api/trpc every 10 s while a
      // password waits for its first use).
      const row = page.getByTestId('app-password-row').filter({ hasText: 'Thunderbird' });
      await expect
        .poll(() => row.getByText('In use').count(), { timeout: 15_000, interval: 500 })
        .toBe(1);
      await expect.poll(() => row.textContent()).toMatch(/for mail from 203\.0\.113\.0\/24/);
      await page.reload();
      await expect
        .poll(() => page.getByTestId('activity').textContent())
        .toContain('“Thunderbird” (mail) first used from 203.0.113.0/24');
      expect(await page.getByTestId('app-password-count').textContent()).toBe('1 of 25');

      // Remove, with a confirmation that names the label.
      await page.getByRole('link', { name: 'Revoke “Thunderbird”' }).click();
      const confirm = page.getByRole('dialog', { name: 'Revoke “Thunderbird”?' });
      await screenshot(page, 'remove-confirmation');
      await confirm.getByRole('button', { name: 'Revoke', exact: true }).click();
      await expect
        .poll(() =>
          page.getByText('“Thunderbird” was revoked. The app using it is signed out.').count(),
        )
        .toBe(1);
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.textContent), { timeout: 10_000 })
        .toMatch(/was revoked/);
      expect(await verifies(app.url, seed.serviceKey, owner.email, password)).toEqual({
        ok: false,
        reason: 'revoked',
      });

      // Three more, then Revoke all: the confirmation counts the apps.
      const three = [];
      for (const label of ['Phone mail', 'Calendar', 'Contacts']) {
        three.push(await generate(page, label));
        await closeDialog(page, 'Your new app-specific password');
      }
      await page.getByRole('link', { name: 'Revoke all' }).click();
      const revokeAll = page.getByRole('dialog', { name: 'Revoke all app-specific passwords?' });
      expect(await revokeAll.getByTestId('revoke-all-warning').textContent()).toMatch(
        /3 apps will be signed out/,
      );
      await screenshot(page, 'revoke-all-confirmation');
      await revokeAll.getByRole('button', { name: 'Revoke all 3' }).click();
      await expect
        .poll(() => page.getByText('3 app passwords were revoked.', { exact: false }).count())
        .toBe(1);
      // Focus lands on the result; the empty list does not read as if none had ever existed.
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.textContent), { timeout: 10_000 })
        .toMatch(/3 app passwords were revoked/);
      expect(await page.getByTestId('app-passwords-empty').textContent()).toMatch(
        /No app-specific password works now/,
      );
      expect(await page.getByText('No app-specific passwords yet').count()).toBe(0);
      for (const revoked of three) {
        expect(await verifies(app.url, seed.serviceKey, owner.email, revoked)).toMatchObject({
          ok: false,
        });
      }

      // Changing the password revokes what is left, and the page says how many first.
      const last = await generate(page, 'Laptop');
      await closeDialog(page, 'Your new app-specific password');
      await page.getByText('Change your password').click();
      expect(await page.getByTestId('change-password-warning').textContent()).toMatch(
        /revokes all 1 app-specific password/,
      );
      // Current password, its code and the new password: all styled fields.
      expect(await unstyledFieldsLightAndDark(page)).toEqual([]);
      await screenshotLightAndDark(page, 'change-password');
      await page.getByLabel('Current password').fill(owner.password);
      await page.locator('#change-code').fill(recoveryCodes[0]!);
      await page.getByLabel('New password').fill('an entirely new calm password');
      await page.getByRole('button', { name: 'Change password' }).click();
      await expect
        .poll(
          () => page.getByRole('status').filter({ hasText: 'Your password was changed.' }).count(),
          // Re-authentication and the change each hash with argon2id: slow on a busy machine.
          { timeout: 15_000 },
        )
        .toBe(1);
      expect(await verifies(app.url, seed.serviceKey, owner.email, last)).toEqual({
        ok: false,
        reason: 'revoked',
      });
      await page.getByText(/Revoked \(\d+\)/).click();
      await expect
        .poll(() => page.getByText('because your password was changed', { exact: false }).count())
        .toBe(1);
      await screenshot(page, 'account');
      expect(await axeViolations(page)).toEqual([]);
      await page.emulateMedia({ colorScheme: 'dark' });
      await screenshot(page, 'account-dark');
      expect(await axeViolations(page)).toEqual([]);
      expect(problems).toEqual([]);
      // No secret in a URL or in browser storage, ever.
      for (const secret of [password, ...three, last, owner.password, recoveryCodes[0]!]) {
        expect(urls.filter((url) => url.includes(secret))).toEqual([]);
      }
      expect(urls.filter((url) => /skap-|password=/.test(url))).toEqual([]);
      // Browser storage holds only SvelteKit's scroll positions; the session cookie is HttpOnly.
      const stored = await page.evaluate(() =>
        JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie]),
      );
      for (const secret of [password, last, owner.password, 'skap-', 'sidekey_session']) {
        expect(stored).not.toContain(secret);
      }
      await context.close();
    },
  );

  it(
    'shows a failed sign-in in words, then signs in with the two-factor step',
    { timeout: 240_000 },
    async () => {
      const { context, page, problems } = await openContext(browser, app.url);
      await page.goto(new URL('/sign-in', app.url).href);
      await screenshot(page, 'sign-in');
      await page.getByLabel('Email address').fill(seed.fullEmail);
      await page.getByLabel('Password').fill('not the password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toBe('That email and password do not match an account.');
      await screenshot(page, 'sign-in-failed');

      await page.getByLabel('Password').fill(seed.fullPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const code = page.getByLabel('Code from your authenticator app');
      await code.waitFor();
      expect(await unstyledFieldsLightAndDark(page)).toEqual([]);
      await screenshotLightAndDark(page, 'sign-in-two-factor');
      await code.fill(seed.fullRecoveryCodes[0]!);
      await page.getByRole('button', { name: 'Verify and sign in' }).click();
      await page.waitForURL(/\/account/);

      // At the limit, Generate explains itself instead of failing afterwards.
      await expect
        .poll(() => page.getByTestId('app-password-count').textContent())
        .toBe('25 of 25');
      expect(await page.getByTestId('limit-reached').textContent()).toMatch(
        /You have 25 app-specific passwords, the most an account can have/,
      );
      expect(
        await page.getByRole('button', { name: 'Generate an app-specific password' }).isDisabled(),
      ).toBe(true);
      await screenshot(page, 'account-at-limit');
      expect(await axeViolations(page)).toEqual([]);
      // Twenty-five rows: search narrows them, as a person types.
      await page.getByLabel('Search').fill('Device 1');
      await expect.poll(() => page.getByTestId('app-password-row').count()).toBe(11);
      expect(await page.getByTestId('list-status').textContent()).toBe('Showing 11 of 25.');
      await page.getByLabel('Search').fill('');
      await page.getByLabel('Sort by').selectOption('name');
      expect(await page.getByTestId('app-password-row').first().locator('h3').textContent()).toBe(
        'Device 1',
      );
      await screenshot(page, 'account-at-limit-sorted');
      expect(problems).toEqual([]);
      await context.close();
    },
  );

  it('generates an app password with the keyboard alone', async () => {
    const { context, page, problems } = await openContext(browser, app.url);
    await signUp(page, app);
    const { recoveryCodes: original } = await turnOnTwoFactor(page);
    await page.reload();

    // Tab from the top of the page to Generate, as a keyboard user would.
    await page.locator('body').focus();
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(
        () => document.activeElement?.textContent?.trim() === 'Generate an app-specific password',
      );
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Generate an app-specific password' });
    await dialog.waitFor();
    // Focus moves into the dialog, onto the label.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('generate-label');
    // The label and the expiry are styled fields in either scheme.
    expect(await unstyledFieldsLightAndDark(page)).toEqual([]);
    await screenshotLightAndDark(page, 'generate-dialog-empty');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('generate-label');
    await page.keyboard.type('Keyboard mail');
    await page.keyboard.press('Enter');
    const password = await readShownPassword(page);
    expect(password).toMatch(/^skap-/);
    // Focus lands on Copy, so Enter copies the password just shown.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent?.trim()))
      .toBe('Copy password');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(password);

    // Escape closes the dialog; focus stays inside while open (the page behind is inert).
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect
      .poll(() => page.getByTestId('app-password-row').filter({ hasText: 'Keyboard mail' }).count())
      .toBe(1);

    // New recovery codes replace the old ones, shown once like the first.
    expect(await page.getByTestId('recovery-codes').count()).toBe(0);
    await page.getByText('Make new recovery codes').click();
    await page.getByRole('button', { name: 'Make new codes' }).click();
    const newCodes = page.getByTestId('recovery-codes').locator('li');
    await newCodes.first().waitFor();
    const renewed = await newCodes.allTextContents();
    expect(renewed).toHaveLength(10);
    expect(renewed.filter((code) => original.includes(code))).toEqual([]);
    await page.reload();

    // Turning two-factor off warns that it revokes the app passwords, then does.
    await page.getByRole('link', { name: 'Turn off…' }).click();
    const turnOff = page.getByRole('dialog', { name: 'Turn off two-factor authentication?' });
    expect(await turnOff.getByTestId('turn-off-warning').textContent()).toMatch(
      /revokes all 1 app-specific password/,
    );
    await screenshot(page, 'turn-off-two-factor');
    await turnOff.getByRole('button', { name: 'Turn off' }).click();
    await expect.poll(() => page.getByTestId('two-factor-status').textContent()).toBe('Off');
    // The link that opened the dialog is gone: focus lands on the result, not the page's top.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent?.trim()), {
        timeout: 10_000,
      })
      .toMatch(/^Two-factor authentication is off\. One app password was revoked\.$/);
    expect(await page.getByTestId('app-password-count').textContent()).toBe('0 of 25');
    await page.getByText('Revoked (1)').click();
    await page.getByText('because two-factor authentication was turned off').waitFor();
    expect(password).toMatch(/^skap-/);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('works with JavaScript off: sign up, two-factor, generate, verify, remove, revoke all', async () => {
    const { context, page } = await openContext(browser, app.url, { javaScriptEnabled: false });
    const owner = await signUp(page, app, newOwner());
    const { recoveryCodes } = await turnOnTwoFactor(page);
    expect(recoveryCodes).toHaveLength(10);

    // Without JavaScript, Generate is a page state: the dialog renders in the page.
    const password = await generate(page, 'No-script mail');
    expect(await verifies(app.url, seed.serviceKey, owner.email, password)).toMatchObject({
      ok: true,
    });
    await screenshot(page, 'no-js-generated');
    await page.getByRole('link', { name: 'Done' }).click();

    await page.getByRole('link', { name: 'Revoke “No-script mail”' }).click();
    await page
      .getByRole('dialog', { name: 'Revoke “No-script mail”?' })
      .getByRole('button', { name: 'Revoke', exact: true })
      .click();
    await page.getByText('“No-script mail” was revoked.', { exact: false }).waitFor();
    expect(await verifies(app.url, seed.serviceKey, owner.email, password)).toMatchObject({
      ok: false,
    });

    const two = [await generate(page, 'One')];
    await page.getByRole('link', { name: 'Done' }).click();
    two.push(await generate(page, 'Two'));
    await page.getByRole('link', { name: 'Done' }).click();
    await page.getByRole('link', { name: 'Revoke all' }).click();
    await page.getByRole('button', { name: 'Revoke all 2' }).click();
    await page.getByText('2 app passwords were revoked.', { exact: false }).waitFor();
    for (const revoked of two) {
      expect((await verifies(app.url, seed.serviceKey, owner.email, revoked)).ok).toBe(false);
    }

    // Sign out and back in through the two-factor step.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You signed out.').waitFor();
    await page.getByLabel('Email address').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Without JavaScript the password is asked again with the code: it is never sent back.
    await page.getByLabel('Password').fill(owner.password);
    await page.getByLabel('Code from your authenticator app').fill(recoveryCodes[1]!);
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.waitForURL(/\/account/);
    await context.close();
  });

  it(
    'picks a suggested app with JavaScript off: the label and its scopes come with it',
    { timeout: 120_000 },
    async () => {
      const { context, page } = await openContext(browser, app.url, { javaScriptEnabled: false });
      const owner = await signUp(page, app, newOwner());
      await turnOnTwoFactor(page);

      await page.getByRole('link', { name: 'Generate an app-specific password' }).click();
      let dialog = page.getByRole('dialog', { name: 'Generate an app-specific password' });
      // Without JavaScript a suggestion is a link that reopens the form filled in.
      await dialog.getByRole('link', { name: 'DAVx⁵', exact: true }).click();
      await page.waitForURL(/[?&]app=davx5/);
      dialog = page.getByRole('dialog', { name: 'Generate an app-specific password' });
      expect(await dialog.getByLabel('Label').inputValue()).toBe('DAVx⁵');
      const checked = async (name: string) => dialog.getByRole('checkbox', { name }).isChecked();
      expect({
        mail: await checked('Mail'),
        contacts: await checked('Contacts'),
        calendars: await checked('Calendars'),
        files: await checked('Files'),
      }).toEqual({ mail: false, contacts: true, calendars: true, files: false });
      // (No axe here: it runs on the page's JavaScript, which is off.)
      await screenshot(page, 'no-js-suggestion');

      await dialog.getByRole('button', { name: 'Generate', exact: true }).click();
      const password = await readShownPassword(page);
      // The password reaches contacts and calendars, and not mail.
      for (const service of ['carddav', 'caldav'] as const) {
        expect(
          await verifies(app.url, seed.serviceKey, owner.email, password, service),
        ).toMatchObject({ ok: true });
      }
      expect(await verifies(app.url, seed.serviceKey, owner.email, password, 'imap')).toEqual({
        ok: false,
        reason: 'scope_denied',
      });
      await page.getByRole('link', { name: 'Done' }).click();
      const row = page.getByTestId('app-password-row').filter({ hasText: 'DAVx⁵' });
      expect(await row.innerText()).toMatch(/Contacts, Calendars/);
      await context.close();
    },
  );
});

// Ageing a session needs the database while the server runs: only Postgres allows a second
// process (CI runs the suite on both databases, so this runs there).
describe.skipIf(browserUnavailable || !process.env.DATABASE_URL)('re-authentication', () => {
  it('asks for the password and a code again when the last confirmation is old', async () => {
    const { context, page, problems } = await openContext(browser, app.url);
    const owner = await signUp(page, app);
    const { recoveryCodes } = await turnOnTwoFactor(page);
    const { database } = await store.open();
    const [account] = await database.db
      .select({ id: accounts.id })
      .from(accounts)
      .where(eq(accounts.email, owner.email));
    await database.db
      .update(sessions)
      .set({ reauthenticatedAt: new Date(Date.now() - 10 * 60_000) })
      .where(eq(sessions.accountId, account!.id));
    await database.close();

    await page.reload();
    await page.getByRole('link', { name: 'Generate an app-specific password' }).click();
    const dialog = page.getByRole('dialog', { name: 'Generate an app-specific password' });
    await dialog.getByLabel('Label').fill('After a while');
    await dialog.getByLabel('Your account password').fill('not my password at all');
    await dialog.getByLabel('Code from your authenticator app').fill(recoveryCodes[0]!);
    await dialog.getByRole('button', { name: 'Generate' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/not correct/);
    expect(await dialog.getByLabel('Label').inputValue()).toBe('After a while');
    // The password and code asked again are styled fields, refused or not, light and dark.
    expect(await unstyledFieldsLightAndDark(page)).toEqual([]);
    await screenshotLightAndDark(page, 'generate-reauthentication');

    await dialog.getByLabel('Your account password').fill(owner.password);
    await dialog.getByLabel('Code from your authenticator app').fill(recoveryCodes[1]!);
    await dialog.getByRole('button', { name: 'Generate' }).click();
    expect(await readShownPassword(page)).toMatch(/^skap-/);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe.skipIf(browserUnavailable)('sessions', () => {
  it('lists where the owner is signed in and signs out the others', async () => {
    const here = await openContext(browser, app.url);
    const there = await openContext(browser, app.url);
    for (const [{ page }, code] of [
      [here, seed.fullRecoveryCodes[1]!],
      [there, seed.fullRecoveryCodes[2]!],
    ] as const) {
      await page.goto(new URL('/sign-in', app.url).href);
      await page.getByLabel('Email address').fill(seed.fullEmail);
      await page.getByLabel('Password').fill(seed.fullPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByLabel('Code from your authenticator app').fill(code);
      await page.getByRole('button', { name: 'Verify and sign in' }).click();
      await page.waitForURL(/\/account/);
    }
    await here.page.reload();
    await expect.poll(() => here.page.getByText('This browser').count()).toBe(1);
    await here.page.getByRole('button', { name: 'Sign out everywhere else' }).click();
    await here.page.getByText(/Signed out (one other session|\d+ other sessions)\./).waitFor();
    await there.page.reload();
    await there.page.waitForURL(/\/sign-in/);
    expect(here.problems).toEqual([]);
    await here.context.close();
    await there.context.close();
  });
});

describe.skipIf(browserUnavailable)('forgot password → reset', () => {
  it('asks for the email, then the link (token in the fragment) sets a new password and revokes app passwords', async () => {
    const { context, page, problems, urls } = await openContext(browser, app.url);
    const reset = seed.resets[0]!;
    await page.goto(new URL('/forgot-password', app.url).href);
    await screenshot(page, 'forgot-password');
    await page.getByLabel('Email address').fill('nobody-here@example.org');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByText('If an account exists for', { exact: false }).waitFor();

    await page.goto(`${new URL('/reset-password', app.url).href}#token=${reset.token}`);
    // The token leaves the address bar at once, and no field asks for it.
    await expect.poll(() => page.url()).toBe(new URL('/reset-password', app.url).href);
    expect(await page.getByLabel('Reset code').count()).toBe(0);
    await screenshot(page, 'reset-password');
    await page.getByLabel('New password').fill('my fresh reset password');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.waitForURL(/\/sign-in/);
    await page.getByText('Your password was reset', { exact: false }).waitFor();
    expect(await verifies(app.url, seed.serviceKey, reset.email, reset.appPassword)).toEqual({
      ok: false,
      reason: 'revoked',
    });

    // The link works once.
    await page.goto(`${new URL('/reset-password', app.url).href}#token=${reset.token}`);
    await page.getByLabel('New password').fill('another fresh password');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/invalid|used|expired/);
    expect(problems).toEqual([]);
    // The token was only ever in the fragment, which browsers do not send.
    expect(urls.filter((url) => url.includes(reset.token) && !url.includes('#'))).toEqual([]);
    await context.close();
  });

  it('without JavaScript, offers a field to paste the token', async () => {
    const { context, page } = await openContext(browser, app.url, { javaScriptEnabled: false });
    const reset = seed.resets[1]!;
    await page.goto(new URL('/reset-password', app.url).href);
    await page.getByLabel('Reset code').fill(reset.token);
    await page.getByLabel('New password').fill('my fresh reset password');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByText('Your password was reset', { exact: false }).waitFor();
    expect((await verifies(app.url, seed.serviceKey, reset.email, reset.appPassword)).ok).toBe(
      false,
    );
    await context.close();
  });
});

describe('security headers and cross-site requests', () => {
  it('serves pages with a CSP (nonce, no framing) and the other security headers', async () => {
    const response = await fetch(new URL('/sign-in', app.url));
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self' 'nonce-[\w+/=]+'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('same-origin');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('permissions-policy')).toContain('camera=()');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a cross-site POST to /api/trpc and a cross-site form post', async () => {
    const api = await fetch(new URL('/api/trpc/auth.signUp', app.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({
        json: { email: 'csrf@example.org', password: 'a long enough password' },
      }),
    });
    expect(api.status).toBe(403);
    const form = await fetch(new URL('/sign-up', app.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://evil.example',
      },
      body: 'email=csrf%40example.org&password=a+long+enough+password',
    });
    expect(form.status).toBe(403);
  });

  it('answers an unknown page with a 404 in words', async () => {
    const response = await fetch(new URL('/no-such-page', app.url));
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('There is nothing here');
  });

  it('keeps secrets out of URLs and logs', () => {
    expect(app.output()).not.toMatch(/skap-|calm and long password/);
  });
});
