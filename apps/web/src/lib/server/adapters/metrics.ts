import { createHash, timingSafeEqual } from 'node:crypto';
import { bearerToken } from '@sidekey/api';
import { readConfig, type Sidekey } from '@sidekey/core';
import type { PlainRequest, PlainResponse } from './plain-http.ts';

/**
 * Read once, on the first scrape: by then server.js has checked the configuration and said
 * what is wrong with it in a sentence. Reading it when the module loads would make the
 * build (which loads every server module) fail on a configuration it does not need.
 */
let token: string | undefined | null = null;
const metricsToken = () => (token === null ? (token = readConfig().metricsToken) : token);

/**
 * GET /metrics — Prometheus text format (prom-client): verifications by result and
 * service, latency. Counts by account never appear, but traffic shape is still worth
 * keeping to the operator: with SIDEKEY_METRICS_TOKEN set, a scraper must send it.
 */
export async function metrics(sidekey: Sidekey, request: PlainRequest): Promise<PlainResponse> {
  const expected = metricsToken();
  if (expected && !bearerMatches(request.header('authorization'), expected)) {
    return {
      status: 401,
      headers: {
        'www-authenticate': 'Bearer realm="Sidekey metrics"',
        'cache-control': 'no-store',
      },
    };
  }
  return {
    status: 200,
    headers: { 'content-type': sidekey.metrics.contentType, 'cache-control': 'no-store' },
    body: await sidekey.metrics.text(),
  };
}

/** Compares digests, so neither the token's length nor its prefix leaks through timing. */
function bearerMatches(authorization: string | undefined, expected: string): boolean {
  const presented = bearerToken(authorization);
  if (presented === null) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
