import type { Deps } from '../deps.ts';
import type { serviceKeyService } from '../service-keys/service.ts';
import { createVerificationMetrics } from './metrics.ts';
import { serviceVerification } from './relying.ts';
import { verify, type VerifyInput } from './verify.ts';

export interface VerificationOptions {
  /** How long a node may answer a repeat of a successful verification from memory (ms). */
  cacheMs?: number;
}

/** The verify path and what relying services reach it through. */
export function verificationService(
  deps: Deps,
  serviceKeys: ReturnType<typeof serviceKeyService>,
  _options: VerificationOptions = {},
) {
  const metrics = createVerificationMetrics();
  const verifyOne = (input: VerifyInput) => verify(deps, input);
  return {
    verify: verifyOne,
    verifyForService: serviceVerification({
      authenticate: serviceKeys.authenticate,
      verify: verifyOne,
      metrics,
    }),
    metrics,
  };
}
