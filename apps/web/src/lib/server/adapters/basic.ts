import { wire } from '@sidekey/api';
import type { Sidekey } from '@sidekey/core';
import { boundedHeader, json, type PlainRequest, type PlainResponse } from './plain-http.ts';

/**
 * GET /auth/basic — for nginx `auth_request`. nginx passes the client's
 * `Authorization: Basic` and sets X-Sidekey-Service, X-Sidekey-Service-Key and
 * X-Sidekey-Client-Address itself. 204 allows (with the account in X-Sidekey-Account,
 * which nginx can pass on with auth_request_set); every denial is 401 with
 * WWW-Authenticate, because nginx turns anything but 2xx/401/403 into a 500 — so
 * throttling is a 401 too, with Retry-After. Only a misconfigured nginx (no or an
 * unknown service) gets a 400, which an operator sees in their error log.
 */
export async function basicAuth(sidekey: Sidekey, request: PlainRequest): Promise<PlainResponse> {
  const credentials = readBasic(request.header('authorization'));
  const parsed = wire.verifyRequest.safeParse({
    username: credentials?.username ?? '',
    password: credentials?.password ?? '',
    service: request.header('x-sidekey-service')?.trim().toLowerCase(),
    remoteAddress: request.header('x-sidekey-client-address')?.trim() || null,
    userAgent: request.header('x-sidekey-client-user-agent') ?? null,
  });
  if (!parsed.success) {
    // nginx sets the service and the address: a refusal there is its configuration's, which
    // the operator sees as a 400 in the error log. The rest is the client's: a denial.
    const misconfigured = parsed.error.issues.find(
      (issue) => issue.path[0] === 'service' || issue.path[0] === 'remoteAddress',
    );
    if (misconfigured) {
      return json(400, {
        ok: false,
        reason: 'bad_request',
        message: `${misconfigured.message} Set it in the nginx configuration (X-Sidekey-Service, X-Sidekey-Client-Address: $remote_addr).`,
      });
    }
    return deny('invalid');
  }
  if (!credentials) return deny('invalid');

  const result = await sidekey.verifyForService(
    boundedHeader(request, 'x-sidekey-service-key'),
    wire.toVerifyInput(parsed.data),
  );
  if (!result.ok) {
    const retryAfter = 'retryAfterSeconds' in result ? result.retryAfterSeconds : undefined;
    return deny(result.reason, retryAfter as number | undefined);
  }
  return {
    status: 204,
    headers: {
      'cache-control': 'no-store',
      'x-sidekey-account': result.username,
      'x-sidekey-account-id': result.accountId,
      'x-sidekey-credential-id': result.credentialId,
      'x-sidekey-scopes': result.scopes.join(','),
    },
  };
}

function deny(reason: string, retryAfterSeconds?: number): PlainResponse {
  return {
    status: 401,
    headers: {
      'www-authenticate': 'Basic realm="Sidekey", charset="UTF-8"',
      'cache-control': 'no-store',
      // For the operator's logs ($upstream_http_x_sidekey_reason); the same words the JSON endpoint uses.
      'x-sidekey-reason': reason,
      ...(retryAfterSeconds ? { 'retry-after': String(retryAfterSeconds) } : {}),
    },
  };
}

/**
 * RFC 7617: base64 of user-id ":" password; the user-id cannot contain a colon. Lengths
 * are the verify request's to judge (node:http already bounds a header at 16 KiB).
 */
export function readBasic(
  authorization: string | undefined,
): { username: string; password: string } | null {
  if (!authorization) return null;
  const match = /^Basic[ ]+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(authorization);
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
