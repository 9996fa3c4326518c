import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'test-services',
    include: ['src/**/*.test.ts'],
    // Starting a cluster (initdb) takes a few seconds on a busy machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
