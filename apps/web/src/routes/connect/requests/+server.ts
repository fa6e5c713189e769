import { wire } from '@sidekey/api';
import { CONNECT_REQUEST_TTL_MS } from '@sidekey/core';
import { answer, domainRefusal, readBody } from '$lib/server/connect-requests';
import type { RequestHandler } from './$types';

/**
 * POST /connect/requests — an app starts the login flow (RFC 8628 §3.1–3.2). Public: it
 * grants nothing until the owner, signed in, approves the user code; starts are counted
 * and capped per address.
 */
export const POST: RequestHandler = async (event) => {
  const body = await readBody(
    event.request,
    wire.connectStartRequest,
    '{"client_name"?, "scopes"?}',
  );
  if (!body.ok) return body.response;
  const { sidekey, address } = event.locals.context;
  const userAgent = event.request.headers.get('user-agent');
  // An app that gives no name is shown by what its User-Agent says.
  const clientName = body.data.client_name ?? userAgent?.slice(0, 64) ?? '';
  try {
    const started = await sidekey.connectRequests.start(
      { clientName, scopes: body.data.scopes },
      { actor: 'anonymous', address, userAgent },
    );
    const origin = event.url.origin;
    const verification = `${origin}/connect/approve`;
    return answer(200, {
      device_code: started.deviceCode,
      user_code: started.userCode,
      verification_uri: verification,
      verification_uri_complete: `${verification}?code=${started.userCode}`,
      poll_uri: `${origin}/connect/requests/poll`,
      expires_in: Math.round(CONNECT_REQUEST_TTL_MS / 1000),
      interval: started.intervalSeconds,
    } satisfies wire.ConnectStarted);
  } catch (error) {
    return domainRefusal(error);
  }
};
