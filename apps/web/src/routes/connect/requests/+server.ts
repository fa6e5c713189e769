import { wire } from '@sidekey/api';
import { CONNECT_REQUEST_TTL_MS } from '@sidekey/core';
import { answer, readBody, withinDeadline } from '$lib/server/connect-requests';
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
  const { sidekey, address, requestDeadlineMs } = event.locals.context;
  const userAgent = event.request.headers.get('user-agent');
  // An app that gives no name is shown by what its User-Agent says.
  const clientName = body.data.client_name ?? userAgent?.slice(0, 64) ?? '';
  const started = await withinDeadline(
    sidekey.connectRequests.start(
      { clientName, scopes: body.data.scopes },
      { actor: 'anonymous', address, userAgent },
    ),
    requestDeadlineMs,
    sidekey.deps.log,
  );
  if (!started.ok) return started.response;
  const origin = event.url.origin;
  const verification = `${origin}/connect/approve`;
  return answer(200, {
    device_code: started.value.deviceCode,
    user_code: started.value.userCode,
    verification_uri: verification,
    verification_uri_complete: `${verification}?code=${started.value.userCode}`,
    poll_uri: `${origin}/connect/requests/poll`,
    expires_in: Math.round(CONNECT_REQUEST_TTL_MS / 1000),
    interval: started.value.intervalSeconds,
  } satisfies wire.ConnectStarted);
};
