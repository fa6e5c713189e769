import { wire } from '@sidekey/api';
import { answer, readBody, refusal, withinDeadline } from '$lib/server/connect-requests';
import type { RequestHandler } from './$types';

/**
 * POST /connect/requests/poll — the app asks whether the owner decided (RFC 8628 §3.4–3.5).
 * The token travels in the body, never in a URL (access logs keep URLs). The password is
 * answered to exactly one poll; every later one hears expired_token.
 */
export const POST: RequestHandler = async (event) => {
  const body = await readBody(event.request, wire.connectPollRequest, '{"device_code"}');
  if (!body.ok) return body.response;
  const { sidekey, address, requestDeadlineMs } = event.locals.context;
  const polled = await withinDeadline(
    sidekey.connectRequests.poll(body.data.device_code, {
      actor: 'anonymous',
      address,
      userAgent: event.request.headers.get('user-agent'),
    }),
    requestDeadlineMs,
    sidekey.deps.log,
  );
  if (!polled.ok) return polled.response;
  const outcome = polled.value;
  switch (outcome.status) {
    case 'approved':
      return answer(200, {
        server: event.url.origin,
        username: outcome.username,
        appPassword: outcome.appPassword,
        label: outcome.label,
        scopes: outcome.scopes,
      } satisfies wire.ConnectCollected);
    case 'pending':
      return refusal(400, 'authorization_pending', 'The owner has not decided yet.', {
        interval: outcome.intervalSeconds,
      });
    case 'slow_down':
      return refusal(400, 'slow_down', `Poll at most every ${outcome.intervalSeconds} seconds.`, {
        interval: outcome.intervalSeconds,
      });
    case 'denied':
      return refusal(400, 'access_denied', 'The owner refused this request.');
    case 'expired':
      return refusal(
        400,
        'expired_token',
        'This request is unknown, expired or already collected. Start a new one.',
      );
  }
};
