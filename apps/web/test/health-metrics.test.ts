import { signUpOwner } from '@sidekey/core/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededStore, type SeededStore } from './seeded.ts';
import { startSidekey, type RunningSidekey } from './start.ts';

// What an operator's load balancer and Prometheus see.
let store: SeededStore;
let app: RunningSidekey;
const seed = { email: '', password: '', serviceKey: '' };

beforeAll(async () => {
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
    password: generated.password,
    serviceKey: (await sidekey.serviceKeys.create('metrics-test', { actor: 'operator' })).key,
  });
  await database.close();
  app = await startSidekey(store.env);
});
afterAll(async () => {
  await app?.stop();
  await store?.dispose();
});

const verify = (password: string, service = 'imap') =>
  fetch(new URL('/auth/verify', app.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${seed.serviceKey}` },
    body: JSON.stringify({ username: seed.email, password, service }),
  });

describe('/healthz and /metrics', () => {
  it('/healthz answers 200 while the database answers', async () => {
    const response = await fetch(new URL('/healthz', app.url));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('/metrics counts verifications by result and service, with a latency histogram (Prometheus text)', async () => {
    await verify(seed.password);
    await verify(seed.password, 'smtp');
    await verify(seed.password.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')));
    await fetch(new URL('/auth/verify', app.url), {
      method: 'POST',
      body: JSON.stringify({ username: seed.email, password: seed.password, service: 'imap' }),
    });
    const response = await fetch(new URL('/metrics', app.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('# TYPE sidekey_verifications_total counter');
    expect(text).toMatch(/^sidekey_verifications_total\{result="ok",service="imap"\} 1$/m);
    expect(text).toMatch(/^sidekey_verifications_total\{result="ok",service="smtp"\} 1$/m);
    expect(text).toMatch(/^sidekey_verifications_total\{result="invalid",service="imap"\} 1$/m);
    expect(text).toMatch(
      /^sidekey_verifications_total\{result="service_unauthorized",service="imap"\} 1$/m,
    );
    expect(text).toMatch(
      /^sidekey_verification_duration_seconds_bucket\{le="0\.005",result="ok"\} \d+$/m,
    );
    expect(text).toMatch(/^sidekey_verification_duration_seconds_count\{result="ok"\} 2$/m);
    expect(text).toContain('sidekey_process_cpu_seconds_total');
    expect(text).not.toContain(seed.email);
  });

  it.skipIf(!process.env.DATABASE_URL)(
    '/healthz answers 503 when the database is gone (Postgres: the database is dropped under it)',
    async () => {
      const url = new URL(store.env.DATABASE_URL!);
      const adminUrl = new URL(url);
      adminUrl.pathname = '/postgres';
      const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => {} });
      await admin.unsafe(`DROP DATABASE ${url.pathname.slice(1)} WITH (FORCE)`);
      await admin.end();
      const response = await fetch(new URL('/healthz', app.url));
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: 'unavailable' });
    },
  );
});

describe('/metrics with SIDEKEY_METRICS_TOKEN', () => {
  const token = 'metrics-scraper-token-0123456789abcdef';
  let guarded: RunningSidekey;
  beforeAll(async () => {
    guarded = await startSidekey({ SIDEKEY_METRICS_TOKEN: token });
  });
  afterAll(() => guarded?.stop());

  it('answers 401 without the token or with a wrong one, and the metrics with it', async () => {
    const metricsWith = (headers: Record<string, string>) =>
      fetch(new URL('/metrics', guarded.url), { headers });
    const refusedHeaders: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${token}x` },
      { authorization: token },
    ];
    for (const headers of refusedHeaders) {
      const refused = await metricsWith(headers);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await refused.text()).not.toContain('sidekey_');
    }
    const allowed = await metricsWith({ authorization: `Bearer ${token}` });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('# TYPE sidekey_verifications_total counter');
    // Health stays open: a load balancer has no token.
    expect((await fetch(new URL('/healthz', guarded.url))).status).toBe(200);
  });
});
