import type { Sidekey } from '@sidekey/core';
import { totpCodeSource } from '@sidekey/core/testing';
import { accounts, outbox } from '@sidekey/db';
import { desc, eq } from 'drizzle-orm';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import superjson from 'superjson';
import { handleTrpcRequest } from './http.ts';
import type { AppRouter } from './root.ts';

/**
 * A browser-like caller of /api/trpc over real Request/Response objects: keeps the
 * session cookie it is given, like a browser would, and exposes raw calls for input
 * no typed client would send.
 */
export function createHttpTestClient(sidekey: Sidekey, address = '192.0.2.10') {
  let cookie: string | null = null;
  const fetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(url, init);
    if (cookie) request.headers.set('cookie', cookie);
    const response = await handleTrpcRequest(request, { sidekey, address });
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair] = setCookie.split(';');
      cookie = setCookie.includes('Max-Age=0') ? null : pair!;
    }
    return response;
  };
  const trpc = createTRPCClient<AppRouter>({
    links: [httpLink({ url: 'http://sidekey.test/api/trpc', transformer: superjson, fetch })],
  });
  /** POSTs (mutation) or GETs (query) a raw JSON body, bypassing the typed client. */
  async function raw(path: string, body: string | undefined, method: 'POST' | 'GET' = 'POST') {
    const url = new URL(`http://sidekey.test/api/trpc/${path}`);
    if (method === 'GET' && body !== undefined) url.searchParams.set('input', body);
    const response = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json' },
      body: method === 'POST' ? body : undefined,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: safeJson(text) };
  }
  return {
    trpc,
    raw,
    get cookie() {
      return cookie;
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isTrpcError(error: unknown): error is TRPCClientError<AppRouter> {
  return error instanceof TRPCClientError;
}

/** What a caller acts on in a tRPC error; throws when the call did not fail that way. */
export async function trpcErrorOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isTrpcError(error)) throw new Error(`expected a tRPC error, got ${String(error)}`);
  return {
    code: error.data?.code,
    status: error.data?.httpStatus,
    message: error.message,
    reason: error.data?.reason,
    retryAfterSeconds: error.data?.retryAfterSeconds,
  };
}

let signedUp = 0;

/** The token of the newest sign-up link mailed to `email` (read from the outbox, as an operator would). */
export async function signUpToken(sidekey: Sidekey, email: string): Promise<string> {
  await sidekey.mailer.settled();
  const [mail] = await sidekey.deps.db
    .select()
    .from(outbox)
    .where(eq(outbox.recipient, email))
    .orderBy(desc(outbox.id))
    .limit(1);
  const token = /\/sign-up\/confirm#token=(\S+)/.exec(mail?.body ?? '')?.[1];
  if (!token) throw new Error(`no sign-up link was mailed to ${email}`);
  return token;
}

/**
 * An owner signed up over HTTP the way the web app does it, with two-factor turned on
 * through the API (generate requires it) unless `twoFactor: false`; `role: 'admin'` is
 * granted in the database, as the operator's CLI would. `totpCode()` yields fresh codes
 * on the Sidekey's clock.
 */
export async function signUpOverHttp(
  sidekey: Sidekey,
  options: { twoFactor?: boolean; role?: 'owner' | 'admin'; address?: string } = {},
) {
  const client = createHttpTestClient(sidekey, options.address);
  const email = `http-owner-${++signedUp}-${Date.now()}@example.org`;
  const password = 'a long enough password';
  // Asked from an address of its own: sign-up requests are counted per address, and a
  // test file signs up more owners than a person would in an hour.
  const door = createHttpTestClient(sidekey, `198.18.${(signedUp >> 8) & 255}.${signedUp & 255}`);
  await door.trpc.auth.signUp.mutate({ email, password });
  await client.trpc.auth.confirmSignUp.mutate({ token: await signUpToken(sidekey, email) });
  let codes: ReturnType<typeof totpCodeSource> | null = null;
  let recoveryCodes: string[] = [];
  if (options.twoFactor !== false) {
    const { secret } = await client.trpc.twoFactor.beginEnrollment.mutate();
    codes = totpCodeSource(secret, sidekey.deps.now);
    ({ recoveryCodes } = await client.trpc.twoFactor.confirmEnrollment.mutate({
      code: codes.next(),
    }));
  }
  if (options.role === 'admin') {
    await sidekey.deps.db.update(accounts).set({ role: 'admin' }).where(eq(accounts.email, email));
  }
  const totpCode = () => {
    if (!codes) throw new Error('This owner was signed up without two-factor.');
    return codes.next();
  };
  return { client, email, password, totpCode, recoveryCodes };
}
