import { join } from 'node:path';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateTOTP } from '@oslojs/otp';
import { credentialLifecycleGraph } from '@sidekey/lifecycle';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailable, launchBrowser, SCREENSHOT_DIR } from './browser.ts';
import { unstyledFieldsLightAndDark } from './field-style.ts';
import { accounts, appPasswords, auditEvents } from '@sidekey/db';
import { enableTwoFactor } from '@sidekey/core/testing';
import { eq } from 'drizzle-orm';
import { seededStore, type SeededStore } from './seeded.ts';
import { mailedToken, startSidekey, type RunningSidekey } from './start.ts';

// What a reviewer does on /flows, in Debian's Chromium against the built app. The states
// and events looked for are read from the machine object, never listed here.
const graph = credentialLifecycleGraph();
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const ADMIN_PASSWORD = 'an admin password long enough';

/** A tRPC call over HTTP as any client makes it (superjson envelope), keeping the session cookie. */
async function trpc<T>(
  app: RunningSidekey,
  cookie: { value: string | null },
  path: string,
  input?: unknown,
): Promise<T> {
  const response = await fetch(new URL(`/api/trpc/${path}`, app.url), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(cookie.value ? { cookie: cookie.value } : {}),
    },
    body: JSON.stringify({ json: input ?? null }),
  });
  const setCookie = response.headers.get('set-cookie');
  if (setCookie) cookie.value = setCookie.split(';')[0]!;
  const body = (await response.json()) as { result?: { data: { json: T } }; error?: unknown };
  if (!body.result) throw new Error(`${path} failed: ${JSON.stringify(body.error)}`);
  return body.result.data.json;
}

let ownerCounter = 0;
/** Signs up and turns two-factor on (no app password exists without it), through the API. */
async function signUpWithTwoFactor(app: RunningSidekey) {
  const cookie = { value: null as string | null };
  const email = `flows-browser-${++ownerCounter}-${Date.now()}@example.org`;
  await trpc(app, cookie, 'auth.signUp', { email, password: 'a long enough password' });
  const token = await mailedToken(app, email, '/sign-up/confirm');
  await trpc(app, cookie, 'auth.confirmSignUp', { token });
  const { secret } = await trpc<{ secret: string }>(app, cookie, 'twoFactor.beginEnrollment');
  // RFC 6238 with the authenticator defaults: 30 s steps, 6 digits.
  const code = generateTOTP(decodeBase32IgnorePadding(secret), 30, 6);
  await trpc(app, cookie, 'twoFactor.confirmEnrollment', { code });
  return { email, cookie };
}

async function openAs(
  browser: Browser,
  app: RunningSidekey,
  cookie: string | null,
  viewport = DESKTOP,
) {
  const context = await browser.newContext({
    viewport,
    deviceScaleFactor: viewport === PHONE ? 2 : 1,
  });
  if (cookie) {
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: app.url }]);
  }
  return context.newPage();
}

/** The drawing on screen: phones get the compact one, wider screens the full one. */
const drawing = (page: Page) => page.locator('[data-testid="lifecycle-diagram"]:visible');

async function drawnText(page: Page) {
  await expect(drawing(page).count()).resolves.toBe(1);
  return (await drawing(page).textContent()) ?? '';
}

describe.skipIf(browserUnavailable)('the lifecycle visualizer in a real browser', () => {
  let app: RunningSidekey;
  let browser: Browser;
  let store: SeededStore;
  /** What an operator sets up with the CLI: a relying service's key and an admin. */
  const seed = {
    serviceKey: '',
    adminEmail: 'flows-admin@example.org',
    tamperedEmail: 'flows-tampered@example.org',
    tamperedId: '',
    /** Admins must have two-factor on: a fresh code for each sign-in. */
    adminCode: (): string => {
      throw new Error('the admin was not seeded');
    },
  };
  beforeAll(async () => {
    store = await seededStore();
    const { sidekey, database } = await store.open();
    seed.serviceKey = (await sidekey.serviceKeys.create('flows-imap', { actor: 'operator' })).key;
    const admin = await sidekey.accounts.signUp(
      { email: seed.adminEmail, password: ADMIN_PASSWORD },
      { actor: 'owner' },
    );
    const codes = await enableTwoFactor(sidekey, admin.accountId);
    seed.adminCode = () => codes.next();
    await database.db
      .update(accounts)
      .set({ role: 'admin' })
      .where(eq(accounts.email, seed.adminEmail));
    // An audit trail with a step the machine never takes (revoked → active), as a bug or a
    // hand-edited database would leave it: the reviewer's alarm must go off.
    const tampered = await sidekey.accounts.signUp(
      { email: seed.tamperedEmail, password: ADMIN_PASSWORD },
      { actor: 'owner' },
    );
    const [row] = await database.db
      .insert(appPasswords)
      .values({
        accountId: tampered.accountId,
        label: 'Tampered',
        scopes: ['mail'],
        lookupHash: 'not-a-real-hash',
        keyId: 'k',
      })
      .returning();
    seed.tamperedId = row!.id;
    const step = { accountId: tampered.accountId, credentialId: row!.id };
    await database.db.insert(auditEvents).values([
      { ...step, actor: 'owner', action: 'GENERATE', fromState: 'new', toState: 'pending' },
      { ...step, actor: 'system', action: 'USE', fromState: 'revoked', toState: 'active' },
    ]);
    await database.close(); // embedded PGlite: one process at a time
    [app, browser] = await Promise.all([startSidekey(store.env), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await store?.dispose();
  });

  it('draws every state and every event of the machine, initial and final marked', async () => {
    for (const [name, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      const page = await openAs(browser, app, null, viewport);
      const response = await page.goto(new URL('/flows', app.url).href);
      expect(response?.status()).toBe(200);
      const text = await drawnText(page);
      for (const state of graph.states) {
        await expect(drawing(page).locator(`[data-state="${state.id}"]`).isVisible()).resolves.toBe(
          true,
        );
        expect(text).toContain(state.id);
      }
      for (const event of graph.events) {
        expect(await drawing(page).locator(`[data-event="${event}"]`).count()).toBeGreaterThan(0);
        expect(text).toContain(event);
      }
      for (const edge of graph.transitions) {
        await expect(drawing(page).locator(`[data-edge="${edge.id}"]`).count()).resolves.toBe(1);
        if (edge.guard) expect(text).toContain(`[${edge.guard}]`);
        // Reasons: on the arrows on a wide screen; on a phone in the table under the drawing.
        const reasonsText =
          name === 'phone' ? await page.locator('table').first().textContent() : text;
        for (const reason of edge.reasons) expect(reasonsText).toContain(reason);
      }
      const finals = graph.states.filter((s) => s.final).map((s) => s.id);
      for (const id of finals) {
        expect(await drawing(page).locator(`[data-state="${id}"]`).getAttribute('class')).toContain(
          'final',
        );
      }
      await expect(drawing(page).locator('circle.start').count()).resolves.toBe(1);
      await page.screenshot({ path: join(SCREENSHOT_DIR, `flows-${name}.png`), fullPage: true });
      await page.context().close();
    }
  });

  it('offers the three exports as downloads', async () => {
    for (const [format, pattern] of [
      ['mermaid', /^stateDiagram-v2/],
      ['scxml', /<scxml /],
      ['stately', /"id": "credential"/],
    ] as const) {
      const response = await fetch(new URL(`/flows/export/${format}`, app.url));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-disposition')).toMatch(
        /^attachment; filename="credential-lifecycle\./,
      );
      expect(await response.text()).toMatch(pattern);
    }
    expect((await fetch(new URL('/flows/export/dot', app.url))).status).toBe(404);
  });

  it('highlights the path a credential took, from its audit trail; others get a 404', async () => {
    const owner = await signUpWithTwoFactor(app);
    const generated = await trpc<{ id: string; password: string }>(
      app,
      owner.cookie,
      'appPasswords.generate',
      {
        label: 'Browser test phone',
      },
    );
    // An IMAP server checks the password: the plain-HTTP verify path a relying service uses.
    const verified = await fetch(new URL('/auth/verify', app.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${seed.serviceKey}` },
      body: JSON.stringify({
        username: owner.email,
        password: generated.password,
        service: 'imap',
        remoteAddress: '198.51.100.20',
      }),
    });
    expect(await verified.json()).toMatchObject({ ok: true, credentialId: generated.id });
    await trpc(app, owner.cookie, 'appPasswords.revoke', { id: generated.id });

    // The edges the machine takes for GENERATE, USE, REVOKE, looked up in its graph.
    const generate = graph.transitions.find(
      (e) => e.source === graph.initial && e.event === 'GENERATE',
    )!;
    const use = graph.transitions.find((e) => e.source === generate.target && e.event === 'USE')!;
    const revoke = graph.transitions.find((e) => e.source === use.target && e.event === 'REVOKE')!;
    const taken = [generate, use, revoke];

    for (const [name, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      const page = await openAs(browser, app, owner.cookie.value, viewport);
      const response = await page.goto(new URL(`/flows/credential/${generated.id}`, app.url).href);
      expect(response?.status()).toBe(200);
      await expect(page.locator('[data-testid="current-state"]').textContent()).resolves.toBe(
        revoke.target,
      );
      for (const edge of taken) {
        expect(
          await drawing(page).locator(`[data-edge="${edge.id}"]`).getAttribute('class'),
        ).toContain('taken');
      }
      const untaken = graph.transitions.filter((e) => !taken.includes(e));
      for (const edge of untaken) {
        expect(
          await drawing(page).locator(`[data-edge="${edge.id}"]`).getAttribute('class'),
        ).not.toContain('taken');
      }
      const steps = page.locator('[data-step]');
      await expect(steps.count()).resolves.toBe(3);
      await expect(steps.nth(0).textContent()).resolves.toMatch(
        /GENERATE[\s\S]*new → pending[\s\S]*by owner/,
      );
      await expect(steps.nth(1).textContent()).resolves.toMatch(
        /USE[\s\S]*pending → active[\s\S]*by service via imap/,
      );
      await expect(steps.nth(2).textContent()).resolves.toMatch(/REVOKE[\s\S]*reason\s+user/);
      await expect(page.locator('[data-allowed="false"]').count()).resolves.toBe(0);
      await expect(page.locator('[role="alert"]').count()).resolves.toBe(0);
      await page.screenshot({
        path: join(SCREENSHOT_DIR, `flows-path-${name}.png`),
        fullPage: true,
      });
      await page.context().close();
    }

    const stranger = await signUpWithTwoFactor(app);
    const page = await openAs(browser, app, stranger.cookie.value);
    for (const id of [generated.id, 'not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
      const response = await page.goto(new URL(`/flows/credential/${id}`, app.url).href);
      expect(response?.status(), id).toBe(404);
    }
    // Review mode is for admins: an owner gets 403, a signed-out visitor is sent to sign in.
    expect((await page.goto(new URL('/flows/review', app.url).href))?.status()).toBe(403);
    await page.context().close();
    const signedOut = await fetch(new URL('/flows/review', app.url), { redirect: 'manual' });
    expect(signedOut.status).toBe(303);
  });

  it('shows an admin the counts per state and per edge over a period, drawn on the diagram', async () => {
    const admin = { value: null as string | null };
    await trpc(app, admin, 'auth.signIn', {
      email: seed.adminEmail,
      password: ADMIN_PASSWORD,
      code: seed.adminCode(),
    });
    const today = new Date().toISOString().slice(0, 10);
    const generate = graph.transitions.find(
      (e) => e.source === graph.initial && e.event === 'GENERATE',
    )!;
    for (const [name, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      const page = await openAs(browser, app, admin.value, viewport);
      const response = await page.goto(
        new URL(`/flows/review?from=${today}&to=${today}`, app.url).href,
      );
      expect(response?.status()).toBe(200);
      // The credentials generated by the tests above, counted on the GENERATE arrow.
      const label = await drawing(page).locator(`[data-edge="${generate.id}"]`).textContent();
      expect(Number(label?.match(/× (\d+)/)?.[1])).toBeGreaterThanOrEqual(1);
      const weighted = await drawing(page).locator('.edge.weighted').count();
      expect(weighted).toBeGreaterThanOrEqual(3); // GENERATE, USE, REVOKE at least
      await expect(page.locator('[data-testid="state-counts"]').textContent()).resolves.toMatch(
        /revoked: \d+/,
      );
      // The period's date fields are styled fields (the bare browser box is ~21 px), in either scheme.
      expect(await unstyledFieldsLightAndDark(page)).toEqual([]);
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        const suffix = colorScheme === 'dark' ? '-dark' : '';
        await page.screenshot({
          path: join(SCREENSHOT_DIR, `flows-review-${name}${suffix}.png`),
          fullPage: true,
        });
      }
      await page.context().close();
    }
    const bad = await openAs(browser, app, admin.value);
    expect((await bad.goto(new URL('/flows/review?from=soon', app.url).href))?.status()).toBe(400);
    await bad.context().close();
  });

  it('flags in red an audit step the machine would not allow', async () => {
    const owner = { value: null as string | null };
    await trpc(app, owner, 'auth.signIn', { email: seed.tamperedEmail, password: ADMIN_PASSWORD });
    const page = await openAs(browser, app, owner.value);
    const response = await page.goto(new URL(`/flows/credential/${seed.tamperedId}`, app.url).href);
    expect(response?.status()).toBe(200);
    await expect(page.locator('[role="alert"]').textContent()).resolves.toMatch(/1\s+step /);
    await expect(page.locator('[data-allowed="false"]').textContent()).resolves.toMatch(
      /USE[\s\S]*revoked → active[\s\S]*not allowed/,
    );
    await expect(
      page.locator('[data-allowed="false"]').evaluate((li) => getComputedStyle(li).color),
    ).resolves.not.toBe(
      await page.locator('[data-allowed="true"]').evaluate((li) => getComputedStyle(li).color),
    );
    await expect(drawing(page).locator('[data-alarm="revoked->active"]').count()).resolves.toBe(1);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'flows-alarm.png'), fullPage: true });
    await page.context().close();
  });
});
