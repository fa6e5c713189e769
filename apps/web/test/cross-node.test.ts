import { signUpOwner } from '@sidekey/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededStore, type SeededStore } from './seeded.ts';
import { startSidekey, type RunningSidekey } from './start.ts';

// The rule: "With two Sidekey processes on one Postgres, a revoke on one is refused by the
// other within one second." Two nodes need a shared database server: the embedded PGlite
// belongs to one process, so this runs on Postgres only (CI runs the suite on both).
const onPostgres = Boolean(process.env.DATABASE_URL);
if (!onPostgres) {
  console.warn('cross-node.test.ts: skipped — two processes need Postgres (set DATABASE_URL).');
}

let store: SeededStore;
let nodes: RunningSidekey[] = [];
const seed = { email: '', sessionToken: '', serviceKey: '', password: '', credentialId: '' };

beforeAll(async () => {
  if (!onPostgres) return;
  store = await seededStore();
  const { sidekey, database } = await store.open();
  const owner = await signUpOwner(sidekey);
  const generated = await sidekey.appPasswords.generate(
    owner.accountId,
    { label: 'Phone' },
    { actor: 'owner' },
  );
  Object.assign(seed, {
    email: owner.email,
    sessionToken: owner.sessionToken,
    serviceKey: (await sidekey.serviceKeys.create('cross-node', { actor: 'operator' })).key,
    password: generated.password,
    credentialId: generated.id,
  });
  await database.close();
  // A long cache on purpose: only the NOTIFY can make node B refuse within a second.
  nodes = await Promise.all([
    startSidekey({ ...store.env, SIDEKEY_VERIFY_CACHE_MS: '60000' }),
    startSidekey({ ...store.env, SIDEKEY_VERIFY_CACHE_MS: '60000' }),
  ]);
});
afterAll(async () => {
  await Promise.all(nodes.map((node) => node.stop()));
  await store?.dispose();
});

async function verifyOn(node: RunningSidekey) {
  const response = await fetch(new URL('/auth/verify', node.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${seed.serviceKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ username: seed.email, password: seed.password, service: 'imap' }),
  });
  return (await response.json()) as { ok: boolean; reason?: string };
}

describe.skipIf(!onPostgres)('two Sidekey processes on one Postgres', () => {
  it('a revoke on node A is refused by node B within one second, though B had it cached', async () => {
    const [a, b] = nodes as [RunningSidekey, RunningSidekey];
    expect(await verifyOn(a)).toMatchObject({ ok: true });
    for (let i = 0; i < 3; i++) expect(await verifyOn(b)).toMatchObject({ ok: true }); // cached on B
    const metrics = await (await fetch(new URL('/metrics', b.url))).text();
    expect(
      Number(/^sidekey_verification_cache_hits_total (\d+)/m.exec(metrics)?.[1]),
    ).toBeGreaterThan(0);

    const revoke = await fetch(new URL('/api/trpc/appPasswords.revoke', a.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: `sidekey_session=${seed.sessionToken}`,
      },
      body: JSON.stringify({ json: { id: seed.credentialId } }),
    });
    expect(revoke.status).toBe(200);
    const revokedAt = performance.now();
    await expect
      .poll(() => verifyOn(b), { timeout: 1_000, interval: 20 })
      .toEqual({ ok: false, reason: 'revoked' });
    expect(performance.now() - revokedAt).toBeLessThan(1_000);
    expect(await verifyOn(a)).toEqual({ ok: false, reason: 'revoked' });
  });
});
