import { defineConfig } from 'vitest/config';

/**
 * The test preset: tests sit beside the code (`foo.test.ts`). Integration tests open
 * their own database, so files may run in parallel; two cores is the budget.
 */
export const sidekeyTestConfig = defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
  },
});
export default sidekeyTestConfig;
