import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [sveltekit()],
  // Native and engine packages stay outside the bundle; our workspace packages are bundled from source.
  ssr: { external: ['@node-rs/argon2', '@electric-sql/pglite', 'postgres', 'pino', 'prom-client'] },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
