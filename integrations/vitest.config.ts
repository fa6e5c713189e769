import { sidekeyTestConfig } from '@sidekey/vitest-config';
import { defineConfig, mergeConfig } from 'vitest/config';

// Tests sit beside what they test: nginx/, dovecot/, sidekey-dovecot/, client-package/, python/.
export default mergeConfig(
  sidekeyTestConfig,
  defineConfig({
    test: {
      include: ['*/**/*.test.ts'],
      exclude: ['**/node_modules/**'],
      // Each file starts real servers (Sidekey through its CLI, Dovecot, nginx): on a busy
      // two-core machine that alone can take more than a minute.
      hookTimeout: 180_000,
    },
  }),
);
