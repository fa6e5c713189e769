import { wire } from '@sidekey/api';
import type { Sidekey } from '@sidekey/core';
import { boundedHeader, json, type PlainRequest, type PlainResponse } from './plain-http.ts';

/**
 * GET /auth/basic — for nginx `auth_request`. nginx passes the client's
 * `Authorization: Basic` and sets X-Sidekey-Service, X-Sidekey-Service-Key and
 * X-Sidekey-Client-Address itself. 204 allows (with the account in X-Sidekey-Account,
 * which nginx can pass on with auth_request_set); every denial of the user's password is
 * 401 with WWW-Authenticate — throttling too, with Retry-After. A misconfigured nginx (no
 * or an unknown service; a missing, unknown or revoked service key; a key not made for
 * this protocol) gets a 400: nginx passes 401 and 403 to the client but turns any other
 * status into a 500 and logs "auth request unexpected status", so the user sees a
 * server error rather than a password prompt, and the operator finds it in the log.
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
    const nginxIssue = parsed.error.issues.find(
      (issue) => issue.path[0] === 'service' || issue.path[0] === 'remoteAddress',
    );
    if (nginxIssue) {
      return misconfigured(
        'bad_request',
        `${nginxIssue.message} Set it in the nginx configuration (X-Sidekey-Service, X-Sidekey-Client-Address: $remote_addr).`,
      );
    }
    return deny('invalid');
  }
  if (!credentials) return deny('invalid');

  const result = await sidekey.verifyForService(
    boundedHeader(request, 'x-sidekey-service-key'),
    wire.toVerifyInput(parsed.data),
    { peer: request.address() },
  );
  const service = parsed.data.service;
  if (!result.ok && result.reason === 'service_unauthorized') {
    return misconfigured(
      result.reason,
      'Set X-Sidekey-Service-Key to a live key from `sidekey service add` in the nginx configuration.',
    );
  }
  if (!result.ok && result.reason === 'service_not_allowed') {
    return misconfigured(
      result.reason,
      `This service key was not made for ${service}: use a key made with --services ${service}, or fix $sidekey_service.`,
    );
  }
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

/** An operator's mistake: 400, which nginx turns into a 500 for the client and logs. */
function misconfigured(reason: string, message: string): PlainResponse {
  return json(400, { ok: false, reason, message }, { 'x-sidekey-reason': reason });
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
