import { onLocalRevocation } from '../app-passwords/transition.ts';
import type { Deps } from '../deps.ts';
import type { serviceKeyService } from '../service-keys/service-keys.ts';
import { DEFAULT_VERIFY_CACHE_MS, verificationCache } from './cache.ts';
import { createVerificationMetrics } from './metrics.ts';
import { serviceVerification } from './relying.ts';
import { revocationFeed } from './revocations.ts';
import { verificationThrottles } from './throttle.ts';
import { useTelemetry } from './use-telemetry.ts';
import type { ScopeRefusalNotices } from './refusal-notices.ts';
import { verify, type VerifyInput } from './verify.ts';

export interface VerificationOptions {
  /**
   * How long a node may repeat a successful verification from memory, in ms
   * (SIDEKEY_VERIFY_CACHE_MS; default 5000; 0 turns the cache off).
   */
  cacheMs?: number;
  /** How often routine uses (last-used time, service, network) are written, in ms (default 5000). */
  useFlushMs?: number;
}

/** The verify path with what surrounds it: node cache, throttles, metrics, revocation feed. */
export function verificationService(
  deps: Deps,
  serviceKeys: ReturnType<typeof serviceKeyService>,
  options: VerificationOptions = {},
  refusals?: ScopeRefusalNotices,
) {
  const metrics = createVerificationMetrics();
  const revocations = revocationFeed(deps);
  const cache = verificationCache(
    revocations,
    options.cacheMs ?? readCacheMs(process.env.SIDEKEY_VERIFY_CACHE_MS),
    deps.now,
  );
  // Revocations decided in this process reach the cache before their transaction commits.
  // Weakly: a Sidekey that is dropped (tests make many) must not stay reachable from here.
  const cacheRef = new WeakRef(cache);
  const unsubscribe = onLocalRevocation((notice) => {
    const live = cacheRef.deref();
    if (live) live.forget(notice.credentialId);
    else unsubscribe();
  });
  const throttles = verificationThrottles(deps);
  const uses = useTelemetry(deps, options.useFlushMs);
  const parts = { cache, throttles, uses, refusals, onCacheHit: () => metrics.cacheHits.inc() };
  const verifyOne = (input: VerifyInput) => verify(deps, input, parts);
  return {
    verify: verifyOne,
    verifyForService: serviceVerification({
      authenticate: serviceKeys.authenticate,
      verify: verifyOne,
      metrics,
      log: deps.log,
    }),
    metrics,
    revocations,
    cache,
    uses,
  };
}

export function readCacheMs(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_VERIFY_CACHE_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0 || ms > 60_000) {
    throw new Error(
      `SIDEKEY_VERIFY_CACHE_MS must be a whole number of milliseconds from 0 to 60000, not “${raw}”.`,
    );
  }
  return ms;
}
