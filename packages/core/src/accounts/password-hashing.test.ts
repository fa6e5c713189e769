import { afterEach, describe, expect, it } from 'vitest';
import {
  configureHashing,
  hashSecret,
  HASHING_CONCURRENCY,
  HASHING_QUEUE_LIMIT,
  verifySecret,
} from './password-hashing.ts';

afterEach(() => configureHashing({}));

describe('password hashing under load', () => {
  it('runs a few at once, queues a bounded number, and refuses the rest at once with 503 and Retry-After', async () => {
    configureHashing({ concurrency: 1, queueLimit: 2 });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => hashSecret(`secret number ${i}`)),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(refused).toHaveLength(7);
    for (const r of refused) {
      expect(r.reason).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        reason: 'busy',
        retryAfterSeconds: 1,
      });
    }
  });

  it('serves again once the queue drains', async () => {
    configureHashing({ concurrency: 1, queueLimit: 0 });
    const stored = await hashSecret('a passphrase');
    await expect(verifySecret(stored, 'a passphrase')).resolves.toBe(true);
    await expect(verifySecret(stored, 'another one')).resolves.toBe(false);
  });

  it('defaults to a small limit with a bounded queue', () => {
    expect(HASHING_CONCURRENCY).toBeLessThanOrEqual(4);
    expect(HASHING_QUEUE_LIMIT).toBeLessThanOrEqual(64);
  });
});
