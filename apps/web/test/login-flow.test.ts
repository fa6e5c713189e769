import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { wire } from '@sidekey/api';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from './axe.ts';
import { browserUnavailable, launchBrowser } from './browser.ts';
import {
  DESKTOP,
  openContext,
  PHONE,
  screenshot,
  signUp,
  totpFor,
  turnOnTwoFactor,
  verifies,
} from './owner-ui.ts';
import { seededStore, type SeededStore } from './seeded.ts';
import { startSidekey, type RunningSidekey } from './start.ts';

// The login flow end to end: a Node process acts as the app (start, poll), Chromium as
// the owner (sign in with two-factor, look, adjust, approve or deny).
const APP_SCRIPT = fileURLToPath(new URL('./login-flow-app.mjs', import.meta.url));

let store: SeededStore;
let app: RunningSidekey;
let browser: Browser;
let serviceKey = '';

beforeAll(async () => {
  store = await seededStore();
  const { sidekey, database } = await store.open();
  serviceKey = (await sidekey.serviceKeys.create('login-flow-test', { actor: 'operator' })).key;
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

/** The app as its own process; its lines are read as they come. */
function runApp(name: string) {
  const child: ChildProcess = spawn(process.execPath, [APP_SCRIPT, app.url, name], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const line = async (prefix: string, timeoutMs: number) => {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      const found = output.split('\n').find((text) => text.startsWith(`${prefix} `));
      if (found) return JSON.parse(found.slice(prefix.length + 1)) as Record<string, unknown>;
      if (child.exitCode !== null && !output.includes(`${prefix} `)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the app printed no ${prefix} line:\n${output}`);
  };
  return {
    started: async () => {
      const started = await line('STARTED', 30_000);
      expect(started.status).toBe(200);
      return wire.connectStarted.parse(started.body);
    },
    // Generous: the app waits its interval (5 s) between polls, on a busy machine.
    result: () => line('RESULT', 90_000),
    output: () => output,
    stop: () => child.exitCode === null && child.kill(),
  };
}

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(new URL(path, app.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const totpStep = () => Math.floor(Date.now() / 30_000);

/**
 * Signs in with the password and a code. Each TOTP step is accepted once, and enrolment
 * just spent the current one: wait for the next, as a person would.
 */
async function signIn(
  page: Page,
  email: string,
  password: string,
  secret: string,
  usedStep: number,
) {
  while (totpStep() <= usedStep) await new Promise((resolve) => setTimeout(resolve, 500));
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Without JavaScript the two-factor step is a new page: the password is typed again.
  await page.getByLabel('Code from your authenticator app').fill(totpFor(secret));
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Verify and sign in' }).click();
}

describe.skipIf(browserUnavailable)('the login flow', () => {
  it(
    'an app gets its own password once the owner signs in and approves; a second request is denied',
    { timeout: 300_000 },
    async () => {
      // The owner exists, with two-factor on, and is signed out in the browser that approves.
      const setup = await openContext(browser, app.url);
      const owner = await signUp(setup.page, app);
      const { secret } = await turnOnTwoFactor(setup.page);
      const usedStep = totpStep();
      await setup.context.close();

      const mailApp = runApp('Test Mail App');
      const started = await mailApp.started();
      expect(started.user_code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
      expect(started.verification_uri).toBe(new URL('/connect/approve', app.url).href);
      expect(started.verification_uri_complete).toBe(
        `${started.verification_uri}?code=${started.user_code}`,
      );
      expect(started).toMatchObject({ expires_in: 600, interval: 5 });

      const desk = await openContext(browser, app.url);
      await desk.page.goto(started.verification_uri_complete);
      await desk.page.waitForURL(/\/sign-in\?next=/);
      expect(await desk.page.getByText('Sign in to connect the app').count()).toBe(1);
      expect(await axeViolations(desk.page)).toEqual([]);
      await screenshot(desk.page, 'login-flow-sign-in');
      await signIn(desk.page, owner.email, owner.password, secret, usedStep);
      await desk.page.waitForURL(/\/connect\/approve\?code=/);

      // Which app asks, for what, and the code to compare with the app's.
      await desk.page.getByRole('heading', { name: 'Connect Test Mail App?' }).waitFor();
      expect(await desk.page.getByTestId('connect-code').textContent()).toBe(started.user_code);
      expect(await desk.page.getByText('Mail, Contacts').count()).toBe(1);
      expect(await axeViolations(desk.page)).toEqual([]);
      await screenshot(desk.page, 'login-flow-approve');

      // The owner names it and takes contacts away, then approves.
      await desk.page.getByLabel('Label').fill('Mail app on the laptop');
      await desk.page.getByLabel('Contacts').uncheck();
      await desk.page.getByRole('button', { name: 'Approve' }).click();
      await desk.page
        .getByRole('heading', { name: '“Mail app on the laptop” is connected' })
        .waitFor();
      expect(await axeViolations(desk.page)).toEqual([]);
      await screenshot(desk.page, 'login-flow-approved');

      const result = await mailApp.result();
      expect(wire.connectCollected.parse(result)).toMatchObject({
        server: app.url.replace(/\/$/, ''),
        username: owner.email,
        label: 'Mail app on the laptop',
        scopes: ['mail'],
      });
      const password = result.appPassword as string;
      expect(await verifies(app.url, serviceKey, owner.email, password)).toMatchObject({
        ok: true,
      });
      // Exactly once: the same token now hears expired_token.
      const again = await post(
        '/connect/requests/poll',
        JSON.stringify({ device_code: started.device_code }),
      );
      expect(again).toMatchObject({ status: 400, body: { error: 'expired_token' } });

      // On a phone, already signed in: the next request goes straight to the decision.
      await desk.page.setViewportSize(PHONE);
      const other = runApp('Unwanted App');
      const second = await other.started();
      await desk.page.goto(second.verification_uri_complete);
      await desk.page.getByRole('heading', { name: 'Connect Unwanted App?' }).waitFor();
      expect(await axeViolations(desk.page)).toEqual([]);
      await screenshot(desk.page, 'login-flow-second-request');
      await desk.page.getByRole('button', { name: 'Deny' }).click();
      await desk.page.getByRole('heading', { name: 'Request refused' }).waitFor();
      expect(await axeViolations(desk.page)).toEqual([]);
      expect(await other.result()).toMatchObject({ error: 'access_denied' });

      // A code typed by hand that names nothing says so, beside the field.
      await desk.page.setViewportSize(DESKTOP);
      await desk.page.goto(new URL('/connect/approve', app.url).href);
      await desk.page.getByLabel('Code').fill('BBBB-BBBB');
      await desk.page.getByRole('button', { name: 'Continue' }).click();
      await expect
        .poll(() => desk.page.getByRole('alert').textContent())
        .toMatch(/No app is waiting for this code/);
      expect(await axeViolations(desk.page)).toEqual([]);
      await screenshot(desk.page, 'login-flow-unknown-code');

      // Nothing secret in a URL the browser asked for, nor in the server's log.
      expect(desk.urls.filter((url) => url.includes(password))).toEqual([]);
      expect(desk.problems).toEqual([]);
      expect(app.output()).not.toContain(password);
      expect(app.output()).not.toContain(started.device_code);
      await desk.context.close();
      mailApp.stop();
      other.stop();
    },
  );

  it('works without JavaScript', { timeout: 300_000 }, async () => {
    const setup = await openContext(browser, app.url);
    const owner = await signUp(setup.page, app);
    const { secret } = await turnOnTwoFactor(setup.page);
    const usedStep = totpStep();
    await setup.context.close();

    const plainApp = runApp('Plain App');
    const started = await plainApp.started();
    const plain = await openContext(browser, app.url, { javaScriptEnabled: false });
    await plain.page.goto(started.verification_uri);
    await signIn(plain.page, owner.email, owner.password, secret, usedStep);
    await plain.page.waitForURL(/\/connect\/approve$/).catch(async (error: unknown) => {
      throw new Error(
        `not on /connect/approve but ${plain.page.url()}: ${await plain.page.locator('main').innerText()}`,
        { cause: error },
      );
    });
    await plain.page.getByLabel('Code').fill(started.user_code.toLowerCase());
    await plain.page.getByRole('button', { name: 'Continue' }).click();
    await plain.page.getByRole('heading', { name: 'Connect Plain App?' }).waitFor();
    await plain.page.getByRole('button', { name: 'Approve' }).click();
    await plain.page.getByRole('heading', { name: '“Plain App” is connected' }).waitFor();
    expect(await plainApp.result()).toMatchObject({
      username: owner.email,
      scopes: ['mail', 'contacts'],
    });
    await plain.context.close();
    plainApp.stop();
  });
});

describe('the app-facing endpoints', () => {
  it('answer bad input with 400 and a reason, never 5xx', async () => {
    const cases: Array<[string, string, number, RegExp]> = [
      ['/connect/requests', '{not json', 400, /must be JSON/],
      ['/connect/requests', '[]', 400, /JSON object/],
      ['/connect/requests', '{"client_name": 5}', 400, /client_name/],
      ['/connect/requests', '{"client_name": "App", "scopes": ["root"]}', 400, /Scopes are/],
      ['/connect/requests', '{"client_name": "Mail\u202Eppa"}', 400, /invisible/],
      ['/connect/requests', JSON.stringify({ client_name: 'x'.repeat(5000) }), 413, /at most/],
      ['/connect/requests/poll', '{}', 400, /device_code/],
      ['/connect/requests/poll', '{"device_code": 1}', 400, /device_code/],
    ];
    for (const [path, body, status, description] of cases) {
      const answer = await post(path, body);
      expect(answer.status, `${path} ${body.slice(0, 40)}`).toBe(status);
      expect(answer.body.error).toBe('invalid_request');
      expect(answer.body.error_description).toMatch(description);
    }
    // A made-up token is simply unknown.
    const unknown = await post(
      '/connect/requests/poll',
      JSON.stringify({ device_code: 'x'.repeat(43) }),
    );
    expect(unknown).toMatchObject({ status: 400, body: { error: 'expired_token' } });
  });

  it('answers slow_down to an app that polls too fast', async () => {
    const started = await post('/connect/requests', JSON.stringify({ client_name: 'Eager' }), {
      'user-agent': 'Eager/1',
    });
    expect(started.status).toBe(200);
    const token = JSON.stringify({ device_code: started.body.device_code });
    expect((await post('/connect/requests/poll', token)).body).toMatchObject({
      error: 'authorization_pending',
      interval: 5,
    });
    expect((await post('/connect/requests/poll', token)).body).toMatchObject({
      error: 'slow_down',
      interval: 10,
    });
  });
});
