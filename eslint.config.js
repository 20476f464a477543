// ESLint (typescript-eslint's recommended rules) for the whole repository; formatting is prettier's (npm run format).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'scripts/neo4j/lib/', 'test-results/', '.data/', 'src/dashboard/public/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Unused values are already refused by the compiler (noUnusedLocals); `_`-prefixed arguments are on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  { files: ['src/dashboard/client/**/*.ts'], languageOptions: { globals: { ...globals.browser } } },
  // Tests and benchmarks read loose JSON answers and metrics: `any` is allowed there, never in src/.
  { files: ['test/**/*.ts', 'scripts/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
