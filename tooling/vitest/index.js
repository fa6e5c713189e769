import { defineConfig } from 'vitest/config';

/**
 * The test preset: tests sit beside the code (`foo.test.ts`). Integration tests open
 * their own database, so files may run in parallel; two cores is the budget.
 * Time limits are for hangs, not speed (`pnpm bench` measures speed): a test that takes
 * 5 s on a quiet machine takes 30 s and more when CI's machine is busy, so the limits
 * leave that margin.
 */
export const sidekeyTestConfig = defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 180_000,
    maxWorkers: 2,
  },
});
export default sidekeyTestConfig;
