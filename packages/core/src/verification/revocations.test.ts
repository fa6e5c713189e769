import { auditEvents } from '@sidekey/db';
import { max } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSidekey, signUpOwner, type TestSidekey } from '../testing.ts';
import type { RevocationEvent } from './revocations.ts';

let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey();
});
afterAll(() => t.dispose());

const owner = { actor: 'owner' as const };

/** Where a subscriber starting now begins (what the stream itself does for `null`), without a race. */
async function now(): Promise<number> {
  const [row] = await t.database.db.select({ id: max(auditEvents.id) }).from(auditEvents);
  return row?.id ?? 0;
}

/** Reads events from the stream into an array until aborted. */
function subscribe(afterEventId: number | null) {
  const controller = new AbortController();
  const events: RevocationEvent[] = [];
  const done = (async () => {
    for await (const event of t.sidekey.revocations.stream(afterEventId, controller.signal)) {
      events.push(event);
    }
  })();
  return {
    events,
    async stop() {
      controller.abort();
      await done;
    },
  };
}

describe('the revocation stream', () => {
  it('streams a revocation as it commits, with the account’s username and the reason', async () => {
    const account = await signUpOwner(t.sidekey);
    const generated = await t.sidekey.appPasswords.generate(
      account.accountId,
      { label: 'Phone' },
      owner,
    );
    const subscriber = subscribe(await now());
    await t.sidekey.appPasswords.revoke(account.accountId, generated.id, owner);
    await expect.poll(() => subscriber.events.length).toBe(1);
    expect(subscriber.events[0]).toEqual({
      eventId: expect.any(Number),
      credentialId: generated.id,
      accountId: account.accountId,
      username: account.email,
      reason: 'user',
      at: expect.any(Date),
    });
    await subscriber.stop();
  });

  it('a subscriber that reconnects with its last event id gets exactly what it missed, in order', async () => {
    const account = await signUpOwner(t.sidekey);
    const make = (label: string) =>
      t.sidekey.appPasswords.generate(account.accountId, { label }, owner);
    const [a, b, c] = [await make('a'), await make('b'), await make('c')];
    const first = subscribe(await now());
    await t.sidekey.appPasswords.revoke(account.accountId, a.id, owner);
    await expect.poll(() => first.events.length).toBe(1);
    await first.stop();
    const lastEventId = first.events[0]!.eventId;

    // While disconnected: one revoked by hand, the rest by revoke-all.
    await t.sidekey.appPasswords.revoke(account.accountId, b.id, owner);
    await t.sidekey.appPasswords.revokeAll(account.accountId, owner);

    const again = subscribe(lastEventId);
    await expect.poll(() => again.events.length).toBe(2);
    expect(again.events.map((e) => [e.credentialId, e.reason])).toEqual([
      [b.id, 'user'],
      [c.id, 'revoke_all'],
    ]);
    expect(again.events[0]!.eventId).toBeGreaterThan(lastEventId);
    await again.stop();
  });

  it('includes expiries, and never uses or generations', async () => {
    const account = await signUpOwner(t.sidekey);
    const before = subscribe(await now());
    const short = await t.sidekey.appPasswords.generate(
      account.accountId,
      { label: 'Short', expiresAt: new Date(t.clock.now.getTime() + 1_000) },
      owner,
    );
    await t.sidekey.verify({ username: account.email, password: short.password, service: 'imap' });
    t.clock.advance(1_000);
    await t.sidekey.verify({ username: account.email, password: short.password, service: 'imap' });
    await expect.poll(() => before.events.length).toBe(1);
    expect(before.events[0]).toMatchObject({ credentialId: short.id, reason: 'expired' });
    await before.stop();
  });
});
