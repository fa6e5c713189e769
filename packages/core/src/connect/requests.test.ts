import { connectRequests } from '@sidekey/db';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SidekeyError } from '../errors.ts';
import { createTestSidekey, signUpOwner, type TestSidekey } from '../testing.ts';
import {
  CONNECT_POLL_INTERVAL_SECONDS,
  CONNECT_REQUEST_TTL_MS,
  MAX_PENDING_PER_ADDRESS,
} from './requests.ts';

let t: TestSidekey;
beforeEach(async () => {
  t = await createTestSidekey();
});
afterEach(async () => {
  await t.dispose();
});

const APP = { actor: 'anonymous' as const, address: '198.51.100.7', userAgent: 'MailApp/2.0' };
const OWNER = { actor: 'owner' as const, address: '203.0.113.9' };

async function started(address = APP.address, clientName = 'Mail App') {
  return t.sidekey.connectRequests.start({ clientName, scopes: ['mail'] }, { ...APP, address });
}

/** Lets the clock pass one polling interval, as a well-behaved app waits. */
function waitInterval(seconds = CONNECT_POLL_INTERVAL_SECONDS) {
  t.clock.advance(seconds * 1000);
}

async function refusal(work: Promise<unknown>): Promise<SidekeyError> {
  const error = await work.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SidekeyError);
  return error as SidekeyError;
}

describe('an app asking for its own app password', () => {
  it('is approved once, and collects the password once, never kept in clear', async () => {
    const owner = await signUpOwner(t.sidekey);
    const request = await started();
    expect(request.userCode).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(request.deviceCode).toMatch(/^[\w-]{43}$/);
    expect(request.expiresAt.getTime() - t.clock.now.getTime()).toBe(CONNECT_REQUEST_TTL_MS);

    expect(await t.sidekey.connectRequests.poll(request.deviceCode, APP)).toEqual({
      status: 'pending',
      intervalSeconds: CONNECT_POLL_INTERVAL_SECONDS,
    });

    // Typed as the owner might: lower case, without the dash.
    const typed = request.userCode.toLowerCase().replace('-', ' ');
    expect(await t.sidekey.connectRequests.describe(owner.accountId, typed, OWNER)).toMatchObject({
      userCode: request.userCode,
      clientName: 'Mail App',
      requestedScopes: ['mail'],
    });
    const approved = await t.sidekey.connectRequests.approve(
      owner.accountId,
      request.userCode,
      { label: 'Mail App on the laptop', scopes: ['mail', 'calendars'] },
      OWNER,
    );
    expect(approved).toMatchObject({ label: 'Mail App on the laptop', state: 'pending' });

    const stored = JSON.stringify(await t.database.db.select().from(connectRequests));
    expect(stored).not.toContain(request.deviceCode);
    expect(stored).not.toContain('skap-');

    waitInterval();
    const collected = await t.sidekey.connectRequests.poll(request.deviceCode, APP);
    expect(collected).toMatchObject({
      status: 'approved',
      username: owner.email,
      label: 'Mail App on the laptop',
      scopes: ['mail', 'calendars'],
    });
    const password = (collected as { appPassword: string }).appPassword;
    expect(password).toMatch(/^skap-/);
    expect(
      await t.sidekey.verify({ username: owner.email, password, service: 'imap' }),
    ).toMatchObject({ ok: true, credentialId: approved.id });

    // Once: every later poll hears expired, and nothing is left in the table.
    waitInterval();
    expect(await t.sidekey.connectRequests.poll(request.deviceCode, APP)).toEqual({
      status: 'expired',
    });
    expect(await t.database.db.select().from(connectRequests)).toEqual([]);
    // Collected, it lives like any other password: no expiry left from the request.
    const [listed] = await t.sidekey.appPasswords.list(owner.accountId);
    expect(listed).toMatchObject({ id: approved.id, expiresAt: null });
    // Approved twice? The code names nothing any more.
    const again = await refusal(
      t.sidekey.connectRequests.approve(
        owner.accountId,
        request.userCode,
        { label: 'Again', scopes: ['mail'] },
        OWNER,
      ),
    );
    expect(again.reason).toBe('unknown_code');
    expect(t.logLines.join('\n')).not.toContain(password);
    expect(t.logLines.join('\n')).not.toContain(request.deviceCode);
  });

  it('tells a denial once, then expired', async () => {
    const owner = await signUpOwner(t.sidekey);
    const request = await started();
    expect(await t.sidekey.connectRequests.deny(owner.accountId, request.userCode, OWNER)).toEqual({
      clientName: 'Mail App',
    });
    expect(await t.sidekey.connectRequests.poll(request.deviceCode, APP)).toEqual({
      status: 'denied',
    });
    waitInterval();
    expect(await t.sidekey.connectRequests.poll(request.deviceCode, APP)).toEqual({
      status: 'expired',
    });
    expect((await t.sidekey.appPasswords.list(owner.accountId)).length).toBe(0);
  });

  it('answers slow_down to a poll before the interval, adding 5 s each time', async () => {
    const request = await started();
    const poll = () => t.sidekey.connectRequests.poll(request.deviceCode, APP);
    expect(await poll()).toEqual({ status: 'pending', intervalSeconds: 5 });
    t.clock.advance(2_000);
    expect(await poll()).toEqual({ status: 'slow_down', intervalSeconds: 10 });
    t.clock.advance(5_000);
    expect(await poll()).toEqual({ status: 'slow_down', intervalSeconds: 15 });
    waitInterval(15);
    expect(await poll()).toEqual({ status: 'pending', intervalSeconds: 15 });
    // Within a second of the interval is on time: clocks and networks jitter.
    t.clock.advance(14_500);
    expect(await poll()).toEqual({ status: 'pending', intervalSeconds: 15 });
  });

  it('expires after 10 minutes: no poll, lookup or approval works, and the row is pruned', async () => {
    const owner = await signUpOwner(t.sidekey);
    const late = await started();
    const collectedLate = await started();
    await t.sidekey.connectRequests.approve(
      owner.accountId,
      collectedLate.userCode,
      { label: 'Approved, never collected', scopes: ['mail'] },
      OWNER,
    );
    t.clock.advance(CONNECT_REQUEST_TTL_MS - 1);
    expect((await t.sidekey.connectRequests.poll(late.deviceCode, APP)).status).toBe('pending');
    t.clock.advance(2);
    expect(
      (await refusal(t.sidekey.connectRequests.describe(owner.accountId, late.userCode, OWNER)))
        .reason,
    ).toBe('unknown_code');
    // The approved password waiting sealed goes with its row.
    expect((await t.sidekey.prune()).connectRequests).toBe(2);
    expect(await t.sidekey.connectRequests.poll(late.deviceCode, APP)).toEqual({
      status: 'expired',
    });
    expect(await t.sidekey.connectRequests.poll(collectedLate.deviceCode, APP)).toEqual({
      status: 'expired',
    });
    expect(await t.database.db.select().from(connectRequests)).toEqual([]);
    // The password nobody collected expired with its request, through the lifecycle.
    const [uncollected] = await t.sidekey.appPasswords.list(owner.accountId);
    expect(uncollected).toMatchObject({ state: 'revoked', revokeReason: 'expired' });
  });

  it('delivers to exactly one of 20 concurrent polls', async () => {
    const owner = await signUpOwner(t.sidekey);
    const request = await started();
    await t.sidekey.connectRequests.approve(
      owner.accountId,
      request.userCode,
      { label: 'Raced', scopes: ['mail'] },
      OWNER,
    );
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => t.sidekey.connectRequests.poll(request.deviceCode, APP)),
    );
    const delivered = outcomes.filter((outcome) => outcome.status === 'approved');
    expect(delivered.length).toBe(1);
    expect(outcomes.filter((outcome) => outcome.status === 'expired').length).toBe(19);
  });

  it('approves a code once when two approvals race', async () => {
    const owner = await signUpOwner(t.sidekey);
    const request = await started();
    const results = await Promise.allSettled(
      ['First', 'Second'].map((label) =>
        t.sidekey.connectRequests.approve(
          owner.accountId,
          request.userCode,
          { label, scopes: ['mail'] },
          OWNER,
        ),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled').length).toBe(1);
    expect((await t.sidekey.appPasswords.list(owner.accountId)).length).toBe(1);
  });

  it('goes through generate: two-factor, the limit of 25 and labels apply, and a refusal leaves it pending', async () => {
    const withoutTwoFactor = await signUpOwner(t.sidekey, undefined, { twoFactor: false });
    const request = await started();
    const choice = { label: 'Mail', scopes: ['mail' as const] };
    const noTwoFactor = await refusal(
      t.sidekey.connectRequests.approve(
        withoutTwoFactor.accountId,
        request.userCode,
        choice,
        OWNER,
      ),
    );
    expect(noTwoFactor.code).toBe('PRECONDITION_FAILED');

    const owner = await signUpOwner(t.sidekey);
    for (let i = 0; i < 25; i++) {
      await t.sidekey.appPasswords.generate(owner.accountId, { label: `App ${i}` }, OWNER);
    }
    const full = await refusal(
      t.sidekey.connectRequests.approve(owner.accountId, request.userCode, choice, OWNER),
    );
    expect(full.reason).toBe('limit_reached');
    const duplicate = await refusal(
      t.sidekey.connectRequests.approve(
        owner.accountId,
        request.userCode,
        { label: 'app 3', scopes: ['mail'] },
        OWNER,
      ),
    );
    expect(duplicate.reason).toBe('duplicate_label');
    // Still waiting for the owner.
    expect((await t.sidekey.connectRequests.poll(request.deviceCode, APP)).status).toBe('pending');
  });

  it('throttles code guessing per account before looking, and refuses malformed codes uncounted', async () => {
    const owner = await signUpOwner(t.sidekey);
    const request = await started();
    const malformed = await refusal(
      t.sidekey.connectRequests.describe(owner.accountId, 'AEIO-U123', OWNER),
    );
    expect(malformed.reason).toBe('invalid_code');
    // Different guesses (the same wrong code repeated counts once, like a retyped typo).
    const guesses = ['BBBB-BBBB', 'CCCC-CCCC', 'DDDD-DDDD', 'FFFF-FFFF', 'GGGG-GGGG'];
    for (const guess of guesses) {
      const wrong = await refusal(
        t.sidekey.connectRequests.describe(owner.accountId, guess, OWNER),
      );
      expect(wrong.reason).toBe('unknown_code');
    }
    // The fifth failure earned a delay: the right code is refused without being looked at.
    const blocked = await refusal(
      t.sidekey.connectRequests.describe(owner.accountId, request.userCode, OWNER),
    );
    expect(blocked.code).toBe('TOO_MANY_REQUESTS');
    expect(blocked.retryAfterSeconds).toBeGreaterThan(0);
    t.clock.advance(2_000);
    expect(
      await t.sidekey.connectRequests.describe(owner.accountId, request.userCode, OWNER),
    ).toMatchObject({ clientName: 'Mail App' });
  });

  it('caps pending requests per address, and throttles how often an address starts them', async () => {
    for (let i = 0; i < MAX_PENDING_PER_ADDRESS; i++) await started();
    const capped = await refusal(started());
    expect(capped.reason).toBe('too_many_pending');
    // Another address is not held back by this one.
    await started('198.51.100.8');
    // Once they expire the address may start again, until its hourly allowance is spent.
    t.clock.advance(CONNECT_REQUEST_TTL_MS + 1);
    expect(await t.sidekey.connectRequests.pendingFrom(APP.address)).toBe(0);
    // 11 counted so far: the 21st is the last free one, the 22nd waits.
    for (let i = 0; i < 10; i++) await started();
    const throttled = await refusal(started());
    expect(throttled.code).toBe('TOO_MANY_REQUESTS');
    expect(throttled.reason).toBe('throttled');
  });

  it('refuses a nameless or disguised app name', async () => {
    for (const name of ['', '   ', 'x'.repeat(65), 'Mail\u202Eppa']) {
      const error = await refusal(started(APP.address, name));
      expect(error.reason).toBe('invalid_client_name');
    }
    const unknownScope = await refusal(
      t.sidekey.connectRequests.start({ clientName: 'App', scopes: ['root' as 'mail'] }, APP),
    );
    expect(unknownScope.reason).toBe('invalid_scopes');
    expect(await t.sidekey.connectRequests.poll('not-a-token', APP)).toEqual({
      status: 'expired',
    });
  });
});
