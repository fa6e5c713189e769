import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailable, launchBrowser, SCREENSHOT_DIR } from './browser.ts';
import { startSidekey, type RunningSidekey } from './start.ts';

describe.skipIf(browserUnavailable)('in a real browser', () => {
  let app: RunningSidekey;
  let browser: Browser;
  beforeAll(async () => {
    [app, browser] = await Promise.all([startSidekey(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('renders the home page', async () => {
    const page = await browser.newPage();
    await page.goto(app.url);
    await expect(page.locator('h1').textContent()).resolves.toContain('Sidekey');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'home.png') });
  });
});
