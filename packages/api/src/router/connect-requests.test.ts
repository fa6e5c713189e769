import { createTestSidekey, type TestSidekey } from '@sidekey/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTestClient, signUpOverHttp, trpcErrorOf } from '../testing.ts';

let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey();
});
afterAll(() => t.dispose());

const APP = { actor: 'anonymous' as const, address: '198.51.100.20' };

describe('connectRequests over /api/trpc', () => {
  it('needs a session to look a code up, and a fresh confirmation to approve', async () => {
    const request = await t.sidekey.connectRequests.start({ clientName: 'Mail App' }, APP);
    const stranger = createHttpTestClient(t.sidekey);
    expect(
      await trpcErrorOf(
        stranger.trpc.connectRequests.lookup.mutate({ userCode: request.userCode }),
      ),
    ).toMatchObject({ status: 401 });

    const { client, password, totpCode } = await signUpOverHttp(t.sidekey);
    expect(
      await client.trpc.connectRequests.lookup.mutate({ userCode: request.userCode }),
    ).toMatchObject({ clientName: 'Mail App', requestedScopes: ['mail', 'contacts', 'calendars'] });

    // Approving makes an app password: like generate, it wants the password within 5 minutes.
    t.clock.advance(6 * 60_000);
    const choice = { userCode: request.userCode, label: 'Mail App', scopes: ['mail' as const] };
    expect(await trpcErrorOf(client.trpc.connectRequests.approve.mutate(choice))).toMatchObject({
      status: 403,
      reason: 'reauthentication_required',
    });
    await client.trpc.auth.reauthenticate.mutate({ password, code: totpCode() });
    expect(await client.trpc.connectRequests.approve.mutate(choice)).toMatchObject({
      label: 'Mail App',
      clientName: 'Mail App',
    });
    expect(
      await trpcErrorOf(client.trpc.connectRequests.deny.mutate({ userCode: request.userCode })),
    ).toMatchObject({ status: 404, reason: 'unknown_code' });
  });

  it('refuses empty scopes and overlong codes as input errors', async () => {
    const { client } = await signUpOverHttp(t.sidekey);
    expect(
      await trpcErrorOf(
        client.trpc.connectRequests.approve.mutate({
          userCode: 'BCDF-GHJK',
          label: 'A',
          scopes: [],
        }),
      ),
    ).toMatchObject({ status: 400, reason: 'invalid_input' });
    expect(
      await trpcErrorOf(client.trpc.connectRequests.lookup.mutate({ userCode: 'B'.repeat(40) })),
    ).toMatchObject({ status: 400, reason: 'invalid_input' });
  });
});
