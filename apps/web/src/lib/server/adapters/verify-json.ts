import { bearerToken, wire } from '@sidekey/api';
import type { Sidekey, VerifyInput } from '@sidekey/core';
import { json, type PlainRequest, type PlainResponse } from './plain-http.ts';

/** Far more than {username, password, service, remoteAddress, userAgent} ever needs. */
export const VERIFY_BODY_LIMIT = 8 * 1024;

/**
 * POST /auth/verify — the JSON verify endpoint (Dovecot's Lua passdb, any backend).
 * `Authorization: Bearer <service key>`, body {username, password, service,
 * remoteAddress?, userAgent?} → 200 {ok:true, …} or 401 {ok:false, reason} (a refused
 * service key too: `service_unauthorized`, logged); 403 `service_not_allowed` for a key not
 * made for the protocol; a body that is not that shape is 400 bad_request and changes nothing.
 */
export async function verifyJson(sidekey: Sidekey, request: PlainRequest): Promise<PlainResponse> {
  if (request.method !== 'POST') {
    return json(405, { ok: false, reason: 'bad_request', message: 'Use POST.' }, { allow: 'POST' });
  }
  const text = await request.body(VERIFY_BODY_LIMIT);
  if (text === 'too_large') {
    return badRequest(`The body can be at most ${VERIFY_BODY_LIMIT} bytes.`, 413);
  }
  const parsed = parseInput(text);
  if (typeof parsed === 'string') return badRequest(parsed);

  const result = await sidekey.verifyForService(
    bearerToken(request.header('authorization')),
    parsed,
    { peer: request.address() },
  );
  if (result.ok) return json(200, result satisfies wire.VerifyResponse);
  // The key is valid but not for this protocol: the service's configuration, not the user.
  if (result.reason === 'service_not_allowed') return json(403, result);
  if (result.reason === 'throttled' && 'retryAfterSeconds' in result) {
    const retryAfter = String(result.retryAfterSeconds);
    return json(401, result, { 'retry-after': retryAfter });
  }
  return json(401, result);
}

function badRequest(message: string, status = 400): PlainResponse {
  return json(status, { ok: false, reason: 'bad_request', message });
}

/** The input, or a message saying what is wrong with it (never echoing a secret). */
function parseInput(text: string): VerifyInput | string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'The body must be JSON: {"username", "password", "service", "remoteAddress"?, "userAgent"?}.';
  }
  const parsed = wire.verifyRequest.safeParse(body);
  return parsed.success
    ? wire.toVerifyInput(parsed.data)
    : wire.describeInvalidRequest(parsed.error);
}
