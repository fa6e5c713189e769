import { throttles } from '@sidekey/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAppPassword } from '../app-passwords/format.ts';
import { createTestSidekey, signUpOwner, type TestSidekey } from '../testing.ts';
import { VERIFY_ACCOUNT_POLICY, VERIFY_ADDRESS_POLICY } from './throttle.ts';

let t: TestSidekey;
beforeAll(async () => {
  // Cache off: these tests are about what the database remembers across nodes.
  t = await createTestSidekey({ verification: { cacheMs: 0 } });
});
afterAll(() => t.dispose());

const owner = { actor: 'owner' as const };
let addressCounter = 0;
const freshAddress = () => `198.51.100.${++addressCounter}`;

async function ownerWithPassword() {
  const account = await signUpOwner(t.sidekey);
  const generated = await t.sidekey.appPasswords.generate(
    account.accountId,
    { label: 'Phone' },
    owner,
  );
  return { ...account, generated };
}

const wrong = () => generateAppPassword().display; // well-formed, checksum right, stored nowhere

describe('verification throttling (NIST SP 800-63B §5.2.2)', () => {
  it('after the free failures, refuses further guesses as throttled with Retry-After; the right password still verifies and resets', async () => {
    const { email, generated } = await ownerWithPassword();
    const address = freshAddress();
    const attempt = (password: string) =>
      t.sidekey.verify({ username: email, password, service: 'imap', address });
    for (let i = 0; i < VERIFY_ACCOUNT_POLICY.freeFailures; i++) {
      expect(await attempt(wrong())).toEqual({ ok: false, reason: 'invalid' });
    }
    expect(await attempt(generated.password)).toMatchObject({ ok: true }); // resets
    for (let i = 0; i <= VERIFY_ACCOUNT_POLICY.freeFailures; i++) await attempt(wrong());
    expect(await attempt(wrong())).toEqual({
      ok: false,
      reason: 'throttled',
      retryAfterSeconds: 1,
    });

    // A 128-bit secret is not a guess: the owner's device is let through while throttled.
    expect(await attempt(generated.password)).toMatchObject({ ok: true });
    // The success cleared the count: one more wrong password is free again.
    expect(await attempt(wrong())).toEqual({ ok: false, reason: 'invalid' });
    expect(await attempt(generated.password)).toMatchObject({ ok: true });
  });

  it('delays grow with each further failure, and the 100th consecutive failure locks for an hour', async () => {
    const { email, generated } = await ownerWithPassword();
    const attempt = (password: string) =>
      t.sidekey.verify({ username: email, password, service: 'imap', address: freshAddress() });
    const delays: number[] = [];
    for (let counted = 0; counted < 100; counted++) {
      let answer = await attempt(wrong());
      while (!answer.ok && answer.reason === 'throttled') {
        delays.push(answer.retryAfterSeconds!);
        t.clock.advance(answer.retryAfterSeconds! * 1000);
        answer = await attempt(wrong());
      }
      expect(answer).toEqual({ ok: false, reason: 'invalid' });
    }
    const locked = await attempt(wrong());
    expect(locked).toMatchObject({ ok: false, reason: 'throttled' });
    if (!locked.ok) delays.push(locked.retryAfterSeconds!);
    expect(delays.slice(0, 4)).toEqual([1, 2, 4, 8]);
    expect(Math.max(...delays.slice(0, -1))).toBe(15 * 60);
    expect(delays.at(-1)).toBe(60 * 60);
    // The lock holds guessing, never the owner's working password.
    expect(await attempt(generated.password)).toMatchObject({ ok: true });
  }, 60_000);

  it('the same wrong password repeated counts once: a phone stuck on a revoked password cannot lock its owner out', async () => {
    const { email, accountId, generated } = await ownerWithPassword();
    const old = await t.sidekey.appPasswords.generate(accountId, { label: 'Old phone' }, owner);
    await t.sidekey.appPasswords.revoke(accountId, old.id, owner);
    const address = freshAddress();
    for (let i = 0; i < 150; i++) {
      expect(
        await t.sidekey.verify({
          username: email,
          password: old.password,
          service: 'imap',
          address,
        }),
      ).toEqual({ ok: false, reason: 'revoked' });
    }
    expect(
      await t.sidekey.verify({
        username: email,
        password: generated.password,
        service: 'imap',
        address,
      }),
    ).toMatchObject({ ok: true });
  }, 60_000);

  it('an unknown username is throttled exactly like a known one', async () => {
    const known = await ownerWithPassword();
    const unknown = `nobody-${crypto.randomUUID()}@example.org`;
    const answers: unknown[][] = [[], []];
    for (const [index, username] of [known.email, unknown].entries()) {
      for (let i = 0; i <= VERIFY_ACCOUNT_POLICY.freeFailures + 1; i++) {
        answers[index]!.push(
          await t.sidekey.verify({
            username,
            password: wrong(),
            service: 'imap',
            address: freshAddress(),
          }),
        );
      }
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]!.at(-1)).toMatchObject({ reason: 'throttled' });
  });

  it('per address: one machine guessing across many usernames is slowed; others are not', async () => {
    const target = await ownerWithPassword();
    const attacker = freshAddress();
    for (let i = 0; i <= VERIFY_ADDRESS_POLICY.freeFailures; i++) {
      await t.sidekey.verify({
        username: `victim${i}@example.org`,
        password: wrong(),
        service: 'imap',
        address: attacker,
      });
    }
    const login = (address: string, password = target.generated.password) =>
      t.sidekey.verify({ username: target.email, password, service: 'imap', address });
    expect(await login(attacker, wrong())).toMatchObject({ ok: false, reason: 'throttled' });
    expect(await login(freshAddress(), wrong())).toEqual({ ok: false, reason: 'invalid' });
    // The owner behind the same NAT as the attacker still gets in with the right password.
    expect(await login(attacker)).toMatchObject({ ok: true });
    expect(await login(freshAddress())).toMatchObject({ ok: true });
  });

  it('anyone who knows the email cannot lock the working devices out, and a locked username probes nothing', async () => {
    const { email, accountId, generated } = await ownerWithPassword();
    const other = await t.sidekey.appPasswords.generate(accountId, { label: 'Laptop' }, owner);
    const old = await t.sidekey.appPasswords.generate(accountId, { label: 'Old' }, owner);
    await t.sidekey.appPasswords.revoke(accountId, old.id, owner);
    // An attacker walks the username into the hour-long lock, from many addresses.
    for (let counted = 0; counted < VERIFY_ACCOUNT_POLICY.lockAfter!; counted++) {
      let answer = await t.sidekey.verify({
        username: email,
        password: wrong(),
        service: 'imap',
        address: freshAddress(),
      });
      while (!answer.ok && answer.reason === 'throttled') {
        t.clock.advance(answer.retryAfterSeconds! * 1000);
        answer = await t.sidekey.verify({
          username: email,
          password: wrong(),
          service: 'imap',
          address: freshAddress(),
        });
      }
    }
    const as = (password: string, service: 'imap' | 'caldav' = 'imap') =>
      t.sidekey.verify({ username: email, password, service, address: freshAddress() });
    expect(await as(wrong())).toMatchObject({
      ok: false,
      reason: 'throttled',
      retryAfterSeconds: 3600,
    });
    // Every working password keeps working (the node cache is off: this is the database's answer).
    expect(await as(generated.password)).toMatchObject({ ok: true, credentialId: generated.id });
    expect(await as(other.password, 'caldav')).toMatchObject({ ok: true, credentialId: other.id });
    // While throttled, a failing request learns nothing more than `throttled`: not revoked.
    t.clock.advance(1000);
    for (let i = 0; i < 50; i++) await as(wrong());
    expect(await as(old.password)).toMatchObject({ ok: false, reason: 'throttled' });
  }, 60_000);

  it('two old devices alternating two revoked passwords do not lock the working one out', async () => {
    const { email, accountId, generated } = await ownerWithPassword();
    const stale = [];
    for (const label of ['Old phone', 'Old tablet']) {
      const made = await t.sidekey.appPasswords.generate(accountId, { label }, owner);
      await t.sidekey.appPasswords.revoke(accountId, made.id, owner);
      stale.push(made.password);
    }
    const address = freshAddress();
    const answers = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const answer = await t.sidekey.verify({
        username: email,
        password: stale[i % 2]!,
        service: 'imap',
        address,
      });
      if (!answer.ok) answers.add(answer.reason);
    }
    expect(answers).toContain('throttled'); // the old devices are slowed …
    expect(
      await t.sidekey.verify({
        username: email,
        password: generated.password,
        service: 'imap',
        address,
      }),
    ).toMatchObject({ ok: true }); // … the working one is not
  });

  it('concurrent failures on many connections all count', async () => {
    const { email } = await ownerWithPassword();
    await Promise.all(
      Array.from({ length: 8 }, () =>
        t.sidekey.verify({
          username: email,
          password: wrong(),
          service: 'imap',
          address: freshAddress(),
        }),
      ),
    );
    const rows = await t.database.db.select().from(throttles);
    expect(rows.some((row) => row.key.startsWith('verify:account:') && row.failures === 8)).toBe(
      true,
    );
  });

  it('stores no username or secret in the throttle table', async () => {
    const { email, generated } = await ownerWithPassword();
    await t.sidekey.verify({
      username: email,
      password: generated.password.replace(/.$/, 'x'),
      service: 'imap',
    });
    const dump = JSON.stringify(await t.database.db.select().from(throttles));
    expect(dump).not.toContain(email);
    expect(dump).not.toContain(generated.password.slice(5, 15));
  });
});
