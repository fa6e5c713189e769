import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashingStats } from '@sidekey/core';
import { createTestSidekey, signUpOwner, type TestSidekey } from '@sidekey/core/testing';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleTrpcRequest, MAX_BATCH_SIZE } from './http.ts';
import type { AppRouter } from './root.ts';

/** /api/trpc on a real socket: what an attacker on loopback would talk to. */
let t: TestSidekey;
let server: Server;
let base: string;
beforeAll(async () => {
  t = await createTestSidekey();
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = new Request(new URL(req.url!, base), {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
      });
      void handleTrpcRequest(request, { sidekey: t.sidekey, address: '127.0.0.1' }).then(
        async (response) => {
          res.writeHead(response.status, Object.fromEntries(response.headers));
          res.end(Buffer.from(await response.arrayBuffer()));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await t.dispose();
});

/** One HTTP request carrying `inputs.length` batched auth.signIn calls. */
function batchedSignIn(inputs: object[]) {
  const paths = inputs.map(() => 'auth.signIn').join(',');
  const body = Object.fromEntries(inputs.map((json, i) => [i, { json }]));
  return fetch(`${base}/api/trpc/${paths}?batch=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('batching', () => {
  it('refuses a batch of 150 sign-ins before hashing anything', async () => {
    const before = hashingStats.verifications;
    const response = await batchedSignIn(
      Array.from({ length: 150 }, (_, i) => ({ email: 'a@example.org', password: `guess ${i}` })),
    );
    expect(response.status).toBe(400);
    expect(hashingStats.verifications).toBe(before);
  });

  it('counts every call of a batch against the throttles', async () => {
    const o = await signUpOwner(t.sidekey);
    const response = await batchedSignIn(
      Array.from({ length: MAX_BATCH_SIZE }, (_, i) => ({
        email: o.email,
        password: o.password,
        code: String(300000 + i),
      })),
    );
    const results = (await response.json()) as Array<{
      error?: { json: { data: { reason?: string; httpStatus: number } } };
    }>;
    const reasons = results.map((r) => r.error?.json.data.reason ?? 'ok');
    // Five checked, whichever reached the database first; the rest refused unchecked.
    expect(reasons.filter((r) => r === 'invalid_code')).toHaveLength(5);
    expect(reasons.filter((r) => r === 'throttled')).toHaveLength(MAX_BATCH_SIZE - 5);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    // And the right code right after is refused too, unchecked, until the delay is over.
    const next = await batchedSignIn([
      { email: o.email, password: o.password, code: o.totpCode() },
    ]);
    const [only] = (await next.json()) as Array<{
      error?: { json: { data: { reason?: string } } };
    }>;
    expect(only?.error?.json.data.reason).toBe('throttled');
  });

  it('still serves the batching client of the web app and relying services', async () => {
    const client = createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url: `${base}/api/trpc`, transformer: superjson, maxItems: 10 })],
    });
    const answers = await Promise.all(
      Array.from({ length: 25 }, () => client.auth.session.query()),
    );
    expect(answers).toEqual(Array.from({ length: 25 }, () => null));
  });
});
