import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import base from './base.js';

/** Base rules plus Svelte 5 components. */
export default tseslint.config(...base, ...svelte.configs.recommended, {
  files: ['**/*.svelte', '**/*.svelte.ts'],
  languageOptions: {
    globals: { ...globals.browser },
    parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
  },
});
