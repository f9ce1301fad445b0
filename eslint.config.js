// @ts-check
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // CLIs, benchmarks and scripts print for people.
    files: ['scripts/**', 'test/bench/**', 'src/cli/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // The layering rules of STYLE.md: scorers are pure and sources only know their own types.
    files: ['scorers/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/src/**', '**/sources/**', '**/jobs/**', 'pg', 'kysely', 'axios'], message: 'scorers/ are pure: input in, result out (STYLE.md)' }] },
      ],
    },
  },
  {
    files: ['sources/**/*.ts'],
    ignores: ['sources/**/*.test.ts'],
    rules: {
      // At any depth (sources/bodacc/x.ts importing ../../src/db/… too); src/errors.ts is the one exception.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/src/**', '!**/src/errors.js', '**/scorers/**', '**/jobs/**'], message: 'sources/ imports only its own types and src/errors.ts (STYLE.md)' },
          ],
        },
      ],
    },
  },
);
