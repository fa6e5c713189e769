import { sidekeyTestConfig } from '@sidekey/vitest-config';
import { defineConfig, mergeConfig } from 'vitest/config';

// Tests sit beside what they test: nginx/, dovecot/, example-relying-service/.
export default mergeConfig(
  sidekeyTestConfig,
  defineConfig({ test: { include: ['*/**/*.test.ts'], exclude: ['**/node_modules/**'] } }),
);
