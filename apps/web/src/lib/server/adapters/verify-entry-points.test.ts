import { createCaller, createTRPCContext } from '@sidekey/api';
import type { Sidekey, VerifyInput } from '@sidekey/core';
import { describe, expect, it } from 'vitest';
import { basicAuth } from './basic.ts';
import type { PlainRequest } from './plain-http.ts';
import { verifyJson } from './verify-json.ts';

// The three ways to ask one question must judge a request alike: what reaches the verify
// path, and what is refused with which words, may not depend on the entry point.

const SERVICE_KEY = 'sksvc_' + 'k'.repeat(43);

function recordingSidekey() {
  const seen: VerifyInput[] = [];
  const sidekey = {
    verifyForService: async (_key: string | null, input: VerifyInput) => {
      seen.push(input);
      return { ok: false, reason: 'invalid' } as const;
    },
  } as unknown as Sidekey;
  return { sidekey, seen };
}

function plain(method: string, headers: Record<string, string>, body = ''): PlainRequest {
  return {
    method,
    address: () => '192.0.2.7',
    header: (name) => headers[name],
    body: async () => body,
  };
}

interface Asked {
  username: string;
  password: string;
  service: string;
  remoteAddress?: string;
  userAgent?: string;
}

/** Each entry point's answer to the same request, and what it passed to the verify path. */
async function askAllThree(request: Asked) {
  const json = recordingSidekey();
  const jsonAnswer = await verifyJson(
    json.sidekey,
    plain('POST', { authorization: `Bearer ${SERVICE_KEY}` }, JSON.stringify(request)),
  );
  const basic = recordingSidekey();
  const basicAnswer = await basicAuth(
    basic.sidekey,
    plain('GET', {
      authorization: `Basic ${Buffer.from(`${request.username}:${request.password}`).toString('base64')}`,
      'x-sidekey-service': request.service,
      'x-sidekey-service-key': SERVICE_KEY,
      ...(request.remoteAddress ? { 'x-sidekey-client-address': request.remoteAddress } : {}),
      ...(request.userAgent ? { 'x-sidekey-client-user-agent': request.userAgent } : {}),
    }),
  );
  const trpc = recordingSidekey();
  const caller = createCaller(
    createTRPCContext({
      sidekey: trpc.sidekey,
      auth: null,
      address: null,
      headers: new Headers({ authorization: `Bearer ${SERVICE_KEY}` }),
      cookies: { setSession: () => {}, clearSession: () => {} },
    }),
  );
  const trpcAnswer = await caller.service
    .verify(request as Parameters<typeof caller.service.verify>[0])
    .catch((error: Error) => error);
  return {
    json: { answer: jsonAnswer, seen: json.seen },
    basic: { answer: basicAnswer, seen: basic.seen },
    trpc: { answer: trpcAnswer, seen: trpc.seen },
  };
}

const good = { username: 'ada@example.org', password: 'skap-x', service: 'imap' };

describe('one verify request schema for /auth/verify, /auth/basic and service.verify', () => {
  it('a 3000-character user agent reaches the verify path as the same first 512 characters from all three', async () => {
    const userAgent = 'Mozilla/5.0 '.padEnd(3000, 'x');
    const asked = await askAllThree({ ...good, remoteAddress: '203.0.113.7', userAgent });
    const kept = userAgent.slice(0, 512);
    for (const entry of [asked.json, asked.basic, asked.trpc]) {
      expect(entry.seen).toEqual([
        {
          username: good.username,
          password: good.password,
          service: 'imap',
          address: '203.0.113.7',
          userAgent: kept,
        },
      ]);
    }
  });

  it('a 4000-character password is the verify path’s to refuse (invalid) on all three', async () => {
    const asked = await askAllThree({ ...good, password: 'x'.repeat(4000) });
    for (const entry of [asked.json, asked.basic, asked.trpc]) expect(entry.seen).toHaveLength(1);
  });

  it('past the limit, a password is refused before the verify path, with the same words', async () => {
    const asked = await askAllThree({ ...good, password: 'x'.repeat(5000) });
    for (const entry of [asked.json, asked.basic, asked.trpc]) expect(entry.seen).toEqual([]);
    expect(asked.json.answer.status).toBe(400);
    const message = (JSON.parse(asked.json.answer.body!) as { message: string }).message;
    expect(message).toBe('“password” can be at most 4096 characters.');
    expect((asked.trpc.answer as Error).message).toContain(message);
    // nginx would turn anything but 401 into a 500 for the user: a denial.
    expect(asked.basic.answer.status).toBe(401);
  });

  it('an unknown protocol gets the same message from the JSON endpoint, nginx’s and tRPC', async () => {
    const asked = await askAllThree({ ...good, service: 'gopher' });
    const message = '“service” must be one of imap, pop3, smtp, carddav, caldav, webdav.';
    expect(JSON.parse(asked.json.answer.body!)).toMatchObject({ reason: 'bad_request', message });
    expect(asked.basic.answer.status).toBe(400);
    expect(JSON.parse(asked.basic.answer.body!).message).toContain(message);
    expect((asked.trpc.answer as Error).message).toContain(message);
  });
});
