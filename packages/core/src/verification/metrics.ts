import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * What an operator watches on /metrics (Prometheus text format, prom-client): how many
 * verifications, by result and protocol, and how long they take. One registry per
 * Sidekey, so tests (and several Sidekeys in one process) never share counters.
 */
export function createVerificationMetrics() {
  const registry = new Registry();
  let collectingProcessMetrics = false;
  const verifications = new Counter({
    name: 'sidekey_verifications_total',
    help: 'App-password verifications by result (ok or the refusal reason) and service.',
    labelNames: ['result', 'service'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'sidekey_verification_duration_seconds',
    help: 'Time to answer a verification, from service-key check to result.',
    labelNames: ['result'] as const,
    // The path is one indexed lookup: sub-millisecond on a warm cache, a few ms on Postgres.
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const cacheHits = new Counter({
    name: 'sidekey_verification_cache_hits_total',
    help: 'Verifications answered from this node’s cache of recent successes.',
    registers: [registry],
  });

  return {
    registry,
    cacheHits,
    /** Records one answered verification; `service` is only a known protocol name, so labels stay bounded. */
    observe(result: string, service: string, seconds: number) {
      verifications.inc({ result, service });
      duration.observe({ result }, seconds);
    },
    /** CPU, memory, event-loop lag: once per server process (tests leave them out). */
    collectProcessMetrics() {
      if (collectingProcessMetrics) return;
      collectingProcessMetrics = true;
      collectDefaultMetrics({ register: registry, prefix: 'sidekey_' });
    },
    text: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

export type VerificationMetrics = ReturnType<typeof createVerificationMetrics>;
