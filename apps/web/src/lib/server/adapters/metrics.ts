import type { Sidekey } from '@sidekey/core';
import type { PlainResponse } from './plain-http.ts';

/** GET /metrics — Prometheus text format (prom-client): verifications by result and service, latency. */
export async function metrics(sidekey: Sidekey): Promise<PlainResponse> {
  return {
    status: 200,
    headers: { 'content-type': sidekey.metrics.contentType, 'cache-control': 'no-store' },
    body: await sidekey.metrics.text(),
  };
}
