import type { wire } from '@sidekey/api';
import type { Sidekey } from '@sidekey/core';
import { json, type PlainResponse } from './plain-http.ts';

/** GET /healthz — 200 when the database answers, 503 otherwise (what a load balancer needs). */
export async function health(sidekey: Sidekey): Promise<PlainResponse> {
  return (await sidekey.healthy())
    ? json(200, { status: 'ok' } satisfies wire.Healthy)
    : json(503, {
        status: 'unavailable',
        message: 'The database does not answer.',
      } satisfies wire.Unhealthy);
}
