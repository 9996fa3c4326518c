import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'db',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // One private PostgreSQL cluster for the run; each test gets a database of its own in it.
    globalSetup: ['../test-services/src/postgres-global-setup.ts'],
    hookTimeout: 60_000,
  },
});
