import { performance } from 'node:perf_hooks';
import type { AuthenticatedService } from '../service-keys/service-keys.ts';
import type { VerificationMetrics } from './metrics.ts';
import { isServiceName } from './protocols.ts';
import type { VerifyInput, VerifyResult } from './verify.ts';

export type ServiceVerifyResult = VerifyResult | { ok: false; reason: 'service_unauthorized' };

const unauthorized = { ok: false, reason: 'service_unauthorized' } as const;

/**
 * What every transport (the JSON endpoint, /auth/basic, tRPC's service.verify) calls: the
 * caller's service key first — only a registered service may learn anything — then the
 * one verify path, timed and counted for /metrics.
 */
export function serviceVerification(parts: {
  authenticate: (key: string | null | undefined) => Promise<AuthenticatedService | null>;
  verify: (input: VerifyInput) => Promise<VerifyResult>;
  metrics: VerificationMetrics;
}) {
  return async function verifyForService(
    serviceKey: string | null | undefined,
    input: VerifyInput,
  ): Promise<ServiceVerifyResult> {
    const started = performance.now();
    const service = await parts.authenticate(serviceKey);
    const result: ServiceVerifyResult = service ? await parts.verify(input) : unauthorized;
    parts.metrics.observe(
      result.ok ? 'ok' : result.reason,
      isServiceName(input.service) ? input.service : 'unknown',
      (performance.now() - started) / 1000,
    );
    return result;
  };
}
