import { createCaller, createTRPCContext } from '@sidekey/api';
import { createTestSidekey, signUpOwner, type TestSidekey } from '@sidekey/core/testing';
import { isRedirect } from '@sveltejs/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failWith, problemOf } from './problems.ts';

// What a form shows when the real router refuses: words, a reason, the field it is about.
let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey();
});
afterAll(() => t.dispose());

function callerFor(auth: Awaited<ReturnType<TestSidekey['sidekey']['sessions']['validate']>>) {
  return createCaller(
    createTRPCContext({
      sidekey: t.sidekey,
      auth,
      address: '192.0.2.1',
      headers: new Headers(),
      cookies: { setSession: () => {}, clearSession: () => {} },
    }),
  );
}

async function refusal(call: () => Promise<unknown>) {
  try {
    await call();
  } catch (error) {
    return problemOf(error);
  }
  throw new Error('expected the call to be refused');
}

describe('problemOf', () => {
  it('puts an input error on its field, as a sentence rather than JSON', async () => {
    const problem = await refusal(() =>
      callerFor(null).auth.signUp({
        email: `${'x'.repeat(300)}@example.org`,
        password: 'long enough password',
      }),
    );
    expect(problem.status).toBe(400);
    expect(problem.reason).toBe('invalid_input');
    expect(problem.fieldErrors.email?.[0]).toMatch(/at most 254 characters/);
    expect(problem.message).toBe(problem.fieldErrors.email?.[0]);
    expect(problem.message).not.toMatch(/^\[|\{/);
  });

  it('keeps a domain refusal as one sentence with its reason', async () => {
    const problem = await refusal(() =>
      callerFor(null).auth.signUp({ email: 'not-an-email', password: 'long enough password' }),
    );
    expect(problem).toMatchObject({ status: 400, reason: 'invalid_email', fieldErrors: {} });
    expect(problem.message).toMatch(/email/i);
  });

  it('keeps the reason of a domain refusal, such as two-factor missing before generate', async () => {
    const owner = await signUpOwner(t.sidekey, undefined, { twoFactor: false });
    const auth = await t.sidekey.sessions.validate(owner.sessionToken);
    const problem = await refusal(() => callerFor(auth).appPasswords.generate({ label: 'Mail' }));
    expect(problem.reason).toBe('two_factor_required');
    expect(problem.status).toBe(412);
    expect(problem.message).toMatch(/two-factor/i);
  });

  it('says what is wrong with a new password without echoing it', async () => {
    const problem = await refusal(() =>
      callerFor(null).auth.signUp({ email: 'newcomer@example.org', password: 'tiny pw' }),
    );
    expect(problem.status).toBe(400);
    expect(problem.message).toMatch(/at least 10/);
    expect(problem.message).not.toContain('tiny pw');
  });

  it('rethrows anything that is not an API refusal (a bug, for the error page)', () => {
    const bug = new TypeError('x is undefined');
    expect(() => problemOf(bug)).toThrow(bug);
  });
});

describe('failWith', () => {
  it('sends a signed-out caller to sign in instead of showing "Sign in to continue."', async () => {
    let thrown: unknown;
    try {
      await callerFor(null).appPasswords.list();
    } catch (error) {
      try {
        failWith('generate', error);
      } catch (redirect) {
        thrown = redirect;
      }
    }
    expect(isRedirect(thrown) && thrown.location).toBe('/sign-in');
  });

  it('tags the failure with its form and echoes only what it was given', async () => {
    const failure = await callerFor(null)
      .auth.signIn({ email: 'nobody@example.org', password: 'wrong password here' })
      .then(
        () => null,
        (error: unknown) => failWith('signIn', error, { email: 'nobody@example.org' }),
      );
    expect(failure?.status).toBe(401);
    expect(failure?.data).toMatchObject({
      form: 'signIn',
      reason: 'wrong_credentials',
      email: 'nobody@example.org',
    });
    expect(JSON.stringify(failure?.data)).not.toContain('wrong password here');
  });
});
