import { accounts, outbox } from '@sidekey/db';
import { createTestSidekey, signUpOwner, type TestSidekey } from '@sidekey/core/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTestClient, signUpToken, trpcErrorOf } from '../testing.ts';

let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey({ origin: 'https://sidekey.example.org' });
});
afterAll(() => t.dispose());

async function mailsTo(email: string) {
  await t.sidekey.mailer.settled();
  return t.database.db.select().from(outbox).where(eq(outbox.recipient, email));
}

describe('sign-up', () => {
  it('answers the same whether or not the email has an account, and tells only the mailbox', async () => {
    const existing = await signUpOwner(t.sidekey, undefined, { twoFactor: false });
    const fresh = `newcomer-${crypto.randomUUID()}@example.org`;
    const answers = [];
    for (const email of [existing.email, fresh]) {
      const client = createHttpTestClient(t.sidekey, '192.0.2.61');
      const response = await client.raw(
        'auth.signUp',
        JSON.stringify({ json: { email, password: 'a long enough password' } }),
      );
      // No session either way: nothing to tell the two apart.
      expect(client.cookie).toBeNull();
      answers.push({
        status: response.status,
        json: response.text.replace(JSON.stringify(email), '"<email>"'),
      });
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]!.status).toBe(200);

    const [note] = await mailsTo(existing.email);
    expect(note?.subject).toMatch(/someone tried to sign up/);
    expect(note?.body).toContain('https://sidekey.example.org/sign-in');
    expect(note?.body).not.toContain('#token=');

    // The newcomer's link creates the account and signs it in, once.
    const client = createHttpTestClient(t.sidekey, '192.0.2.62');
    const token = await signUpToken(t.sidekey, fresh);
    expect(await t.database.db.$count(accounts, eq(accounts.email, fresh))).toBe(0);
    await client.trpc.auth.confirmSignUp.mutate({ token });
    expect(await client.trpc.auth.session.query()).toMatchObject({ email: fresh });
    expect(await trpcErrorOf(client.trpc.auth.confirmSignUp.mutate({ token }))).toMatchObject({
      status: 409,
      reason: 'already_signed_up',
    });
    expect(
      await trpcErrorOf(client.trpc.auth.confirmSignUp.mutate({ token: `${token}x` })),
    ).toMatchObject({ status: 400, reason: 'invalid_token' });
  });

  it('expires the link', async () => {
    const email = `late-${crypto.randomUUID()}@example.org`;
    const client = createHttpTestClient(t.sidekey, '192.0.2.63');
    await client.trpc.auth.signUp.mutate({ email, password: 'a long enough password' });
    const token = await signUpToken(t.sidekey, email);
    t.clock.advance(24 * 60 * 60_000 + 1);
    expect(await trpcErrorOf(client.trpc.auth.confirmSignUp.mutate({ token }))).toMatchObject({
      reason: 'invalid_token',
    });
  });

  it('is counted per address, so one machine cannot make the server hash without end', async () => {
    const client = createHttpTestClient(t.sidekey, '192.0.2.64');
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) {
      const response = await client.raw(
        'auth.signUp',
        JSON.stringify({
          json: { email: `many${i}@example.org`, password: 'a long enough password' },
        }),
      );
      statuses.push(response.status);
      if (response.status === 429)
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(21);
    expect(statuses.at(-1)).toBe(429);
  });
});
