import { defineConfig, mergeConfig } from 'vitest/config';
import preset from '@sidekey/vitest-config';

// Each test opens the embedded database (PGlite, WebAssembly) at least once: seconds on
// an idle machine, far more on a loaded one. Commands run in-process; a timeout is only
// there to stop a hang.
export default mergeConfig(preset, defineConfig({ test: { testTimeout: 180_000 } }));
