import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'data/**', 'test-results/**', 'bench/results/**', '.softhsm/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        fetch: 'readonly',
        window: 'readonly',
        document: 'readonly',
        localStorage: 'readonly',
        HTMLElement: 'readonly',
        customElements: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      // Config is parsed once, in the server's and CLI's entry points and in test helpers.
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'read configuration through parseConfig (core/config.ts), not process.env' },
      ],
    },
  },
  {
    files: [
      'packages/server/src/main.ts',
      'packages/cli/src/main.ts',
      '**/test/**',
      '**/*.test.ts',
      '**/e2e/**',
      'scripts/**',
      'bench/**',
      '**/vite.config.ts',
      'vitest.config.ts',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
);
