import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'core/db/generated/', '.arcext/', 'coverage/'] },
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
    // Findings in product code that other issue-14 branches are rewriting right now; reported to the coordinator
    // and to be fixed (and this block deleted) once those branches are merged. Nothing else may be added here.
    files: ['api/plugins/openapi.ts', 'api/routes/operation-status.ts', 'api/versions/extension-convert.ts', 'core/catalog/schema.ts', 'core/main-process.ts', 'workers/jobs/extension-target.ts'],
    rules: { '@typescript-eslint/no-unnecessary-type-assertion': 'off' },
  },
  { files: ['workers/dispatcher.ts'], rules: { '@typescript-eslint/no-misused-promises': 'off' } },
  { files: ['workers/drivers/index.ts'], rules: { '@typescript-eslint/await-thenable': 'off' } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
)
