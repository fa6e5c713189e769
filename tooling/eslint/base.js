import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The rules every Sidekey package lints with. */
export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/build/**',
      '**/dist/**',
      '**/.svelte-kit/**',
      '**/migrations/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      // A secret printed with console.* bypasses the logger's redaction.
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
);
