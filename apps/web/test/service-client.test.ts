import { createSidekeyClient, type SidekeyClient } from '@sidekey/client';
import { accounts } from '@sidekey/db';
import { signUpOwner } from '@sidekey/core/testing';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededStore, type SeededStore } from './seeded.ts';
import { startSidekey, type RunningSidekey } from './start.ts';

// createSidekeyClient() against the real server: service.verify, service.events, retries.
let store: SeededStore;
let app: RunningSidekey;
let client: SidekeyClient;
const seed = {
  email: '',
  accountId: '',
  sessionToken: '',
  serviceKey: '',
  otherServiceKey: '',
  otherServiceId: '',
  passwords: [] as { id: string; password: string }[],
};

beforeAll(async () => {
  store = await seededStore();
  const { sidekey, database } = await store.open();
  const owner = await signUpOwner(sidekey);
  for (const label of ['Phone', 'Laptop', 'Tablet', 'Watch']) {
    const generated = await sidekey.appPasswords.generate(
      owner.accountId,
      { label },
      { actor: 'owner' },
    );
    seed.passwords.push({ id: generated.id, password: generated.password });
  }
  seed.email = owner.email;
  seed.accountId = owner.accountId;
  seed.sessionToken = owner.sessionToken;
  seed.serviceKey = (await sidekey.serviceKeys.create('client-test', { actor: 'operator' })).key;
  const other = await sidekey.serviceKeys.create('short-lived', { actor: 'operator' });
  seed.otherServiceKey = other.key;
  seed.otherServiceId = other.id;
  // The only account here: make it an admin, to revoke a service key over the API.
  await database.db.update(accounts).set({ role: 'admin' });
  await database.close();
  app = await startSidekey(store.env);
  client = createSidekeyClient({ url: app.url, serviceKey: seed.serviceKey, attempts: 10 });
});
afterAll(async () => {
  await app?.stop();
  await store?.dispose();
});

/** The owner revokes through the web API with their session, as the UI does. */
async function revokeAsOwner(credentialId: string) {
  const response = await fetch(new URL('/api/trpc/appPasswords.revoke', app.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: `sidekey_session=${seed.sessionToken}` },
    body: JSON.stringify({ json: { id: credentialId } }),
  });
  expect(response.status).toBe(200);
}

/** Restarts the server on the same port and database (a deploy, a crash). */
async function restart(whileDown: () => Promise<void> = async () => {}) {
  const port = new URL(app.url).port;
  await app.stop();
  await whileDown();
  app = await startSidekey({ ...store.env, PORT: port });
}

describe('service.verify through the typed client', () => {
  it('answers like POST /auth/verify: ok with ids and scopes, or a refusal reason', async () => {
    const [phone] = seed.passwords;
    const ok = await client.service.verify.mutate({
      username: seed.email,
      password: phone!.password,
      service: 'imap',
      remoteAddress: '2001:db8::7',
      userAgent: 'K-9 Mail',
    });
    expect(ok).toEqual({
      ok: true,
      accountId: seed.accountId,
      credentialId: phone!.id,
      username: seed.email,
      scopes: ['mail', 'contacts', 'calendars'],
    });
    expect(
      await client.service.verify.mutate({
        username: seed.email,
        password: phone!.password,
        service: 'webdav',
      }),
    ).toEqual({ ok: false, reason: 'scope_denied' });
    expect(
      await client.service.verify.mutate({
        username: 'nobody@example.org',
        password: phone!.password,
        service: 'imap',
      }),
    ).toEqual({ ok: false, reason: 'invalid' });
  });

  it('a wrong service key is an UNAUTHORIZED error with reason service_unauthorized; bad input is BAD_REQUEST', async () => {
    const stranger = createSidekeyClient({ url: app.url, serviceKey: 'sksvc_' + 'x'.repeat(43) });
    const error = await stranger.service.verify
      .mutate({ username: seed.email, password: seed.passwords[0]!.password, service: 'imap' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<never>).data).toMatchObject({
      code: 'UNAUTHORIZED',
      reason: 'service_unauthorized',
    });
    const bad = await client.service.verify
      // @ts-expect-error — a service the API does not know
      .mutate({ username: seed.email, password: 'x', service: 'gopher' })
      .catch((e: unknown) => e);
    expect((bad as TRPCClientError<never>).data).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('retries with backoff through a server restart', async () => {
    const port = new URL(app.url).port;
    await app.stop();
    const pending = client.service.verify.mutate({
      username: seed.email,
      password: seed.passwords[0]!.password,
      service: 'smtp',
    });
    app = await startSidekey({ ...store.env, PORT: port });
    expect(await pending).toMatchObject({ ok: true });
  });
});

describe('service.events through the typed client', () => {
  it('streams a revocation, and after a reconnect resumes with the events it missed', async () => {
    const received: { id: string; credentialId: string; reason: string; username: string }[] = [];
    const errors: unknown[] = [];
    let started!: () => void;
    const isStarted = new Promise<void>((resolve) => (started = resolve));
    const subscription = client.service.events.subscribe(undefined, {
      onStarted: () => started(),
      onData: (event) => received.push({ id: event.id, ...event.data }),
      onError: (error) => errors.push(error),
    });
    await isStarted;
    const [, laptop, tablet, watch] = seed.passwords;

    await revokeAsOwner(laptop!.id);
    await expect.poll(() => received.length, { timeout: 5_000 }).toBe(1);
    expect(received[0]).toMatchObject({
      credentialId: laptop!.id,
      reason: 'user',
      username: seed.email,
    });
    expect(received[0]!.id).toMatch(/^\d+$/);

    // The server goes away; two revocations happen while this subscriber cannot hear them.
    await restart(async () => {
      const { sidekey, database } = await store.open();
      await sidekey.appPasswords.revoke(seed.accountId, tablet!.id, { actor: 'owner' });
      await sidekey.appPasswords.revoke(seed.accountId, watch!.id, { actor: 'owner' });
      await database.close();
    });
    await expect.poll(() => received.length, { timeout: 20_000, interval: 200 }).toBe(3);
    expect(received.map((e) => e.credentialId)).toEqual([laptop!.id, tablet!.id, watch!.id]);
    expect(Number(received[2]!.id)).toBeGreaterThan(Number(received[0]!.id));
    subscription.unsubscribe();
    expect(errors).toEqual([]);
  }, 60_000);

  it('refuses a subscriber without a valid service key', async () => {
    const stranger = createSidekeyClient({ url: app.url, serviceKey: 'sksvc_' + 'y'.repeat(43) });
    const error = await new Promise<unknown>((resolve) => {
      const sub = stranger.service.events.subscribe(undefined, {
        onError: (e) => {
          sub.unsubscribe();
          resolve(e);
        },
        onData: () => resolve(new Error('a stranger received an event')),
      });
    });
    expect((error as TRPCClientError<never>).data).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('ends the stream of a service whose key an admin revokes, with service_unauthorized', async () => {
    const short = createSidekeyClient({ url: app.url, serviceKey: seed.otherServiceKey });
    let started!: () => void;
    const isStarted = new Promise<void>((resolve) => (started = resolve));
    const ended = new Promise<unknown>((resolve) => {
      short.service.events.subscribe(undefined, {
        onStarted: () => started(),
        onError: resolve,
        onComplete: () => resolve('completed without an error'),
      });
    });
    await isStarted;
    const response = await fetch(new URL('/api/trpc/admin.services.revoke', app.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: `sidekey_session=${seed.sessionToken}`,
      },
      body: JSON.stringify({ json: { id: seed.otherServiceId } }),
    });
    expect(response.status).toBe(200);
    const error = await ended;
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<never>).data).toMatchObject({
      reason: 'service_unauthorized',
    });
  });
});
