import { createTestSidekey, signUpOwner, type TestSidekey } from '@sidekey/core/testing';
import { accounts } from '@sidekey/db';
import { isHttpError, isRedirect, type RequestEvent } from '@sveltejs/kit';
import { eq } from 'drizzle-orm';
import { render } from 'svelte/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Page from './+page.svelte';
import { load } from './+page.server';

// The review page's load and markup, in process on a real database: the browser test
// cannot make an admin (that is an operator's CLI command), so the admin view is checked here.
let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey();
});
afterAll(() => t?.dispose());

async function eventFor(role: 'owner' | 'admin' | null, query = '') {
  let auth = null;
  if (role) {
    const owner = await signUpOwner(t.sidekey);
    if (role === 'admin') {
      await t.database.db
        .update(accounts)
        .set({ role: 'admin' })
        .where(eq(accounts.id, owner.accountId));
    }
    auth = await t.sidekey.sessions.validate(owner.sessionToken);
  }
  const url = new URL(`http://sidekey.test/flows/review${query}`);
  return {
    url,
    params: {},
    request: new Request(url),
    locals: {
      context: { sidekey: t.sidekey, auth, address: '192.0.2.5', requestDeadlineMs: 1000 },
    },
    cookies: { get: () => undefined, set: () => {}, delete: () => {} },
  } as unknown as Parameters<typeof load>[0] & RequestEvent;
}

async function failure(promise: Promise<unknown>) {
  return promise.then(
    () => {
      throw new Error('the page loaded where it must refuse');
    },
    (e: unknown) => e,
  );
}

describe('/flows/review', () => {
  it('shows an admin the counts per state and per edge, drawn on the diagram', async () => {
    const owner = await signUpOwner(t.sidekey);
    const made = await t.sidekey.appPasswords.generate(
      owner.accountId,
      { label: 'Tablet' },
      { actor: 'owner' },
    );
    await t.sidekey.appPasswords.revoke(owner.accountId, made.id, { actor: 'owner' });

    const data = (await load(await eventFor('admin'))) as Exclude<
      Awaited<ReturnType<typeof load>>,
      void
    >;
    expect(data.states).toContainEqual({ state: 'revoked', count: 1 });
    expect(data.totals['new:GENERATE:0']).toBe(1);
    expect(data.totals['pending:REVOKE:0']).toBe(1);
    expect(data.disallowed).toBe(0);

    const { body } = render(Page, { props: { data: { ...data, email: null } } as never });
    expect(body).toContain('1 credential');
    expect(body).toMatch(/user 1/);
    expect(body).toContain(`value="${data.period.from}"`);
  });

  it('answers an owner 403 and a signed-out visitor with a redirect to sign in', async () => {
    const refused = await failure(
      Promise.resolve().then(async () => load(await eventFor('owner'))),
    );
    expect(isHttpError(refused) && refused.status).toBe(403);
    const signedOut = await failure(Promise.resolve().then(async () => load(await eventFor(null))));
    expect(isRedirect(signedOut) && signedOut.location).toBe('/sign-in');
  });

  it('answers a malformed or backwards period with 400, not 500', async () => {
    for (const query of ['?from=yesterday', '?from=2026-13-45', '?from=2026-02-01&to=2026-01-01']) {
      const refused = await failure(
        Promise.resolve().then(async () => load(await eventFor('admin', query))),
      );
      expect(isHttpError(refused) && refused.status, query).toBe(400);
    }
  });
});
