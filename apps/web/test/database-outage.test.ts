import { connect, createServer, type Server, type Socket } from 'node:net';
import { signUpOwner } from '@sidekey/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededStore, type SeededStore } from './seeded.ts';
import { startSidekey, type RunningSidekey } from './start.ts';

/**
 * A TCP proxy in front of Postgres that the test can blackhole: connections stay open but
 * nothing passes (what a network partition or a frozen server looks like — a refused
 * connection would fail fast by itself), then heal, delivering what was held.
 */
function blackholeProxy(target: URL) {
  let holding = false;
  const held: Array<() => void> = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    const open = () => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    };
    if (holding) {
      client.pause();
      held.push(open);
    } else open();
  });
  return {
    async listen(): Promise<number> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.address() as { port: number }).port;
    },
    blackhole() {
      holding = true;
      for (const socket of sockets) socket.pause();
    },
    heal() {
      holding = false;
      for (const socket of sockets) socket.resume();
      for (const open of held.splice(0)) open();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe.runIf(process.env.DATABASE_URL)('a database outage (Postgres)', () => {
  let store: SeededStore;
  let app: RunningSidekey;
  let proxy: ReturnType<typeof blackholeProxy>;
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
    seed.email = owner.email;
    seed.password = generated.password;
    seed.serviceKey = (await sidekey.serviceKeys.create('outage-test', { actor: 'operator' })).key;
    await database.close();
    const target = new URL(store.env.DATABASE_URL!);
    proxy = blackholeProxy(target);
    const port = await proxy.listen();
    const viaProxy = new URL(target);
    viaProxy.host = `127.0.0.1:${port}`;
    app = await startSidekey({
      ...store.env,
      DATABASE_URL: viaProxy.toString(),
      SIDEKEY_REQUEST_DEADLINE_MS: '1000', // the production default
      SIDEKEY_VERIFY_CACHE_MS: '0', // every answer below comes from the database
    });
  });
  afterAll(async () => {
    proxy?.heal();
    await app?.stop();
    proxy?.close();
    await store?.dispose();
  });

  const verify = () =>
    fetch(new URL('/auth/verify', app.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${seed.serviceKey}` },
      body: JSON.stringify({ username: seed.email, password: seed.password, service: 'imap' }),
    });
  const basic = () =>
    fetch(new URL('/auth/basic', app.url), {
      headers: {
        authorization: `Basic ${Buffer.from(`${seed.email}:${seed.password}`).toString('base64')}`,
        'x-sidekey-service': 'imap',
        'x-sidekey-service-key': seed.serviceKey,
      },
    });
  const health = () => fetch(new URL('/healthz', app.url));
  /** An app starting the login flow: no deadline of its own, but never a 500. */
  const connectStart = () =>
    fetch(new URL('/connect/requests', app.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: app.url },
      body: JSON.stringify({ client_name: 'Outage test' }),
    });
  /** The typed client's call: tRPC's service.verify over /api/trpc. */
  const trpcVerify = () =>
    fetch(new URL('/api/trpc/service.verify', app.url), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${seed.serviceKey}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        json: { username: seed.email, password: seed.password, service: 'imap' },
      }),
    });

  it('answers 503 quickly while the database does not answer, never 200, and recovers by itself', async () => {
    expect((await verify()).status).toBe(200);
    expect((await health()).status).toBe(200);
    expect((await trpcVerify()).status).toBe(200);

    proxy.blackhole();
    for (const ask of [verify, basic, health, trpcVerify, connectStart]) {
      const started = performance.now();
      const response = await ask();
      const took = performance.now() - started;
      expect(response.status).toBe(503);
      // The deadline is 1 s; the margin is for a busy machine, the point is "not a hang".
      expect(took).toBeLessThan(5000);
      // An app polling the login flow is told, in RFC 6749's word, when to come back.
      if (ask === connectStart) {
        expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(await response.json()).toMatchObject({ error: 'temporarily_unavailable' });
      }
    }

    proxy.heal();
    let status = 0;
    for (let i = 0; i < 60 && status !== 200; i++) {
      status = (await verify()).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(status).toBe(200);
    expect((await basic()).status).toBe(204);
    expect((await health()).status).toBe(200);
    expect((await trpcVerify()).status).toBe(200);
  }, 120_000);
});
