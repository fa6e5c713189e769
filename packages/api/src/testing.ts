import type { Sidekey } from '@sidekey/core';
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
