import type { IncomingMessage, ServerResponse } from 'node:http';
import { wire } from '@sidekey/api';
import type { Sidekey } from '@sidekey/core';
import { CLIENT_ADDRESS_HEADER, nodeClientAddress } from '../client-address.ts';
import { basicAuth } from './basic.ts';
import { health } from './health.ts';
import { metrics } from './metrics.ts';
import { json, type PlainRequest, type PlainResponse } from './plain-http.ts';
import { verifyJson } from './verify-json.ts';

/** How long a plain-HTTP answer may take once the request has arrived (SIDEKEY_REQUEST_DEADLINE_MS). */
const DEFAULT_DEADLINE_MS = 1000;

type Route = (sidekey: Sidekey, request: PlainRequest) => Promise<PlainResponse>;

/** The plain-HTTP routes, by exact path: served before (and without) SvelteKit and tRPC. */
const routes: Record<string, Route> = {
  '/auth/verify': verifyJson,
  '/auth/basic': (sidekey, request) =>
    request.method === 'GET' || request.method === 'HEAD'
      ? basicAuth(sidekey, request)
      : Promise.resolve(
          json(405, { ok: false, reason: 'bad_request', message: 'Use GET.' }, { allow: 'GET' }),
        ),
  '/healthz': (sidekey) => health(sidekey),
  '/metrics': (sidekey, request) => metrics(sidekey, request),
  '/openapi.json': async () => openApi(),
};

let openApiText: string | undefined;
/** Built once from the wire schemas the handlers above parse with. */
function openApi(): PlainResponse {
  openApiText ??= JSON.stringify(wire.openApiDocument());
  return {
    status: 200,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'public, max-age=300',
      'access-control-allow-origin': '*',
    },
    body: openApiText,
  };
}

function pathOf(url: string | undefined): string {
  if (!url) return '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

export function isFastRoute(path: string): boolean {
  return Object.hasOwn(routes, path);
}

const UNAVAILABLE = json(503, {
  ok: false,
  reason: 'unavailable',
  message: 'Sidekey cannot answer right now. Please try again.',
});

/**
 * Never a stack, never a 500 for what a client sent: an unexpected failure is the server's
 * (503). And never a hang: once the request has arrived, an answer that takes longer than
 * the deadline (a database that stopped answering) is a 503 at the deadline, so a load
 * balancer or an auth worker can move on — never a success that was not checked.
 */
async function answer(
  route: Route,
  getSidekey: () => Promise<Sidekey>,
  request: PlainRequest,
  deadlineMs: number,
): Promise<PlainResponse> {
  let sidekey: Sidekey | undefined;
  let timer: NodeJS.Timeout | undefined;
  let startClock = () => {};
  const expired = new Promise<PlainResponse>((resolve) => {
    startClock = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        sidekey?.deps.log.warn({ deadlineMs }, 'plain-http route timed out; answered 503');
        resolve(UNAVAILABLE);
      }, deadlineMs);
    };
  });
  startClock();
  // A client sending its body slowly is its own business: the clock runs from when it has arrived.
  const timed: PlainRequest = {
    ...request,
    body: async (limit) => {
      clearTimeout(timer);
      const body = await request.body(limit);
      startClock();
      return body;
    },
  };
  const answered = (async () => {
    try {
      sidekey = await getSidekey();
      return await route(sidekey, timed);
    } catch (error) {
      sidekey?.deps.log.error(
        { err: { name: (error as Error).name, message: (error as Error).message } },
        'plain-http route failed',
      );
      return UNAVAILABLE;
    }
  })();
  try {
    return await Promise.race([answered, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * For server.js: `(req, res) => boolean`, true when the route is ours. Registered on a
 * global symbol because server.js and the SvelteKit bundle are separate modules.
 */
export function createNodeFastRoutes(
  getSidekey: () => Promise<Sidekey>,
  deadlineMs = DEFAULT_DEADLINE_MS,
) {
  return function fastRoutes(req: IncomingMessage, res: ServerResponse): boolean {
    const route = routes[pathOf(req.url)];
    if (!route) return false;
    void answer(route, getSidekey, nodeRequest(req), deadlineMs).then((response) => {
      res.writeHead(response.status, response.headers);
      res.end(req.method === 'HEAD' ? undefined : response.body);
    });
    return true;
  };
}

function nodeRequest(req: IncomingMessage): PlainRequest {
  return {
    method: req.method ?? 'GET',
    // server.js has stamped it; computed here only if something else serves the routes.
    address: () =>
      (req.headers[CLIENT_ADDRESS_HEADER] as string | undefined) || nodeClientAddress(req),
    header: (name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    },
    body: (limit) =>
      new Promise((resolve, reject) => {
        if (Number(req.headers['content-length'] ?? 0) > limit) {
          req.resume(); // discard, so the connection stays usable
          return resolve('too_large');
        }
        const chunks: Buffer[] = [];
        let size = 0;
        req.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > limit) {
            req.removeAllListeners('data');
            req.resume();
            resolve('too_large');
          } else chunks.push(chunk);
        });
        req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        req.on('error', reject);
      }),
  };
}

/** For `vite dev` (hooks.server.ts): the same routes over fetch's Request/Response. */
export async function handleFastRouteRequest(
  request: Request,
  getSidekey: () => Promise<Sidekey>,
  address: () => string | null,
  deadlineMs = DEFAULT_DEADLINE_MS,
): Promise<Response | null> {
  const route = routes[new URL(request.url).pathname];
  if (!route) return null;
  const response = await answer(
    route,
    getSidekey,
    {
      method: request.method,
      address,
      header: (name) => request.headers.get(name) ?? undefined,
      body: async (limit) => {
        const text = await request.text();
        return Buffer.byteLength(text) > limit ? 'too_large' : text;
      },
    },
    deadlineMs,
  );
  return new Response(response.body ?? null, {
    status: response.status,
    headers: response.headers,
  });
}
