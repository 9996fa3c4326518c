import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'bench',
    // Checks of the bench's own plumbing (accounts, refusals); the benchmarks run with `pnpm bench`.
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
