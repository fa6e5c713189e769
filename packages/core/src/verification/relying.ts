import { performance } from 'node:perf_hooks';
import type { Deps } from '../deps.ts';
import { describeRefusedKey, type AuthenticatedService } from '../service-keys/service-keys.ts';
import type { VerificationMetrics } from './metrics.ts';
import { isProtocol } from './protocols.ts';
import type { VerifyInput, VerifyResult } from './verify.ts';

export type ServiceVerifyResult =
  | VerifyResult
  | { ok: false; reason: 'service_unauthorized' }
  | { ok: false; reason: 'service_not_allowed' };

const unauthorized = { ok: false, reason: 'service_unauthorized' } as const;
const notAllowed = { ok: false, reason: 'service_not_allowed' } as const;

/** Who asked, as far as the transport knows: for the operator's log. */
export interface ServiceCaller {
  /** The address of the relying service's connection (after trusted proxies). */
  peer?: string | null;
}

/**
 * What every transport (the JSON endpoint, /auth/basic, tRPC's service.verify) calls: the
 * caller's service key first — only a registered service may learn anything — and the
 * protocols it was made for, then the one verify path, timed and counted for /metrics.
 * A refused key or protocol is the operator's mistake, not the user's: it is logged (as
 * a warning, never with the key) so it does not hide behind users' password prompts.
 */
export function serviceVerification(parts: {
  authenticate: (key: string | null | undefined) => Promise<AuthenticatedService | null>;
  verify: (input: VerifyInput) => Promise<VerifyResult>;
  metrics: VerificationMetrics;
  log: Deps['log'];
}) {
  return async function verifyForService(
    serviceKey: string | null | undefined,
    input: VerifyInput,
    caller: ServiceCaller = {},
  ): Promise<ServiceVerifyResult> {
    const started = performance.now();
    const service = await parts.authenticate(serviceKey);
    let result: ServiceVerifyResult;
    if (!service) {
      parts.log.warn(
        { problem: describeRefusedKey(serviceKey), peer: caller.peer ?? null },
        'service key refused: check the key the relying service sends',
      );
      result = unauthorized;
    } else if (!(service.protocols as string[]).includes(input.service)) {
      parts.log.warn(
        {
          serviceId: service.id,
          service: service.name,
          protocol: String(input.service).slice(0, 32),
          allowed: service.protocols,
          peer: caller.peer ?? null,
        },
        'service key not allowed this protocol: make a key for it, or fix the service setting',
      );
      result = notAllowed;
    } else {
      result = await parts.verify(input);
    }
    parts.metrics.observe(
      result.ok ? 'ok' : result.reason,
      isProtocol(input.service) ? input.service : 'unknown',
      (performance.now() - started) / 1000,
    );
    return result;
  };
}
