import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Temporal's native module crashes under worker threads (sdk-typescript#876): forks.
    pool: 'forks',
    // Two cores: integration files each run their own Temporal server; two at a time.
    maxWorkers: 2,
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/quiet-runtime.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
