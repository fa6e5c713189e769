import { createTestSidekey, type TestSidekey } from '@sidekey/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTestClient, signUpOverHttp, trpcErrorOf } from '../testing.ts';

let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey();
});
afterAll(() => t.dispose());

const signedInClient = (role: 'owner' | 'admin' = 'owner') => signUpOverHttp(t.sidekey, { role });

describe('flows over /api/trpc', () => {
  it('draws the machine for anyone: states, edges with guards, the revocation reasons', async () => {
    const anonymous = createHttpTestClient(t.sidekey);
    const graph = await anonymous.trpc.flows.graph.query();
    expect(graph.initial).toBe('new');
    expect(graph.states.map((s) => s.id)).toEqual(['new', 'pending', 'active', 'revoked']);
    expect(graph.transitions).toContainEqual(
      expect.objectContaining({ source: 'active', target: 'revoked', guard: 'reasonIsKnown' }),
    );
  });

  it('shows an owner the path their credential took, and nobody else', async () => {
    const { client, email } = await signedInClient();
    const generated = await client.trpc.appPasswords.generate.mutate({ label: 'Phone' });
    await t.sidekey.verify({ username: email, password: generated.password, service: 'imap' });
    await client.trpc.appPasswords.revoke.mutate({ id: generated.id });

    const path = await client.trpc.flows.credentialPath.query({ id: generated.id });
    expect(path.steps.map((s) => `${s.fromState}→${s.toState}`)).toEqual([
      'new→pending',
      'pending→active',
      'active→revoked',
    ]);
    expect(path.steps.every((s) => s.allowed)).toBe(true);
    expect(path.steps[0]!.at).toBeInstanceOf(Date);
    expect(JSON.stringify(path)).not.toContain(generated.password);

    const { client: stranger } = await signedInClient();
    expect(
      await trpcErrorOf(stranger.trpc.flows.credentialPath.query({ id: generated.id })),
    ).toMatchObject({ code: 'NOT_FOUND' });
    const anonymous = createHttpTestClient(t.sidekey);
    expect(
      await trpcErrorOf(anonymous.trpc.flows.credentialPath.query({ id: generated.id })),
    ).toMatchObject({ code: 'UNAUTHORIZED' });
    const garbage = await client.raw(
      'flows.credentialPath',
      JSON.stringify({ json: { id: 'x' } }),
      'GET',
    );
    expect(garbage.status).toBe(400);
  });

  it('gives admins the review, and refuses owners with FORBIDDEN', async () => {
    const { client: admin } = await signedInClient('admin');
    const review = await admin.trpc.flows.review.query();
    expect(review.to.getTime() - review.from.getTime()).toBe(30 * 86_400_000);
    expect(review.transitions.length).toBeGreaterThan(0);
    expect(review.disallowed).toBe(0);

    const { client: owner } = await signedInClient();
    expect(await trpcErrorOf(owner.trpc.flows.review.query())).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses a period that ends before it starts, with the reason', async () => {
    const { client: admin } = await signedInClient('admin');
    const now = new Date();
    expect(
      await trpcErrorOf(
        admin.trpc.flows.review.query({ from: now, to: new Date(now.getTime() - 1) }),
      ),
    ).toMatchObject({ code: 'BAD_REQUEST', reason: 'invalid_period' });
    const garbage = await admin.raw(
      'flows.review',
      JSON.stringify({ json: { from: 'soon' } }),
      'GET',
    );
    expect(garbage.status).toBe(400);
  });
});
