import { defineConfig } from 'vitest/config';

/** Shared by both runs (this one, on the default adapter, and vitest.swiftshader.config.ts). */
export const baseTest = {
  pool: 'forks' as const,
  poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  testTimeout: 120_000,
  hookTimeout: 300_000,
  reporters: ['default', 'json'],
};

export default defineConfig({
  test: {
    ...baseTest,
    include: ['test/**/*.test.ts'],
    outputFile: { json: '.cache/vitest-results.json' },
  },
});
