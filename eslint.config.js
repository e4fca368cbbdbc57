import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  // test/fixtures/openapi-fetch-client imports types generated at test time (test/contract/openapi-fetch-client.test.ts
  // type-checks it with them), so neither this project's tsc nor its linter can see them.
  { ignores: ['node_modules/', 'dist/', 'core/db/generated/', '.arcext/', 'coverage/', 'test/fixtures/openapi-fetch-client/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // Type-aware rules for the mistakes types can see: a promise nobody awaits or catches (a lost rejection, a
    // race), a promise where a callback's return is ignored, awaiting what is not a promise, casts that change nothing.
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['prisma.config.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // core/ is shared by the api and the workers, so it may import neither (docs/architecture.md).
    files: ['core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(\\.\\./)+api(/|$)', message: 'core/ must not depend on api/ (docs/architecture.md).' },
            { regex: '^(\\.\\./)+workers(/|$)', message: 'core/ must not depend on workers/ (docs/architecture.md).' },
          ],
        },
      ],
    },
  },
  {
    // The api and workers reach the database only through core/store, so every statement a request or an operation
    // sends is in one place and can be counted there.
    files: ['api/**/*.ts', 'workers/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'MemberExpression[property.name=/^\\$(queryRaw|queryRawUnsafe|executeRaw|executeRawUnsafe|transaction)$/]',
          message: 'Database statements belong in core/store (docs/architecture.md).',
        },
        {
          selector: "MemberExpression[object.name='db'][property.name=/^(cluster|extension|operation|operationOutbox|operationEvent|simulatedRelease|simulatedFault)$/]",
          message: 'Database statements belong in core/store (docs/architecture.md).',
        },
        {
          selector: "MemberExpression[object.property.name='db'][property.name=/^(cluster|extension|operation|operationOutbox|operationEvent|simulatedRelease|simulatedFault)$/]",
          message: 'Database statements belong in core/store (docs/architecture.md).',
        },
      ],
    },
  },
)
