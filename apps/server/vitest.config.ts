import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'server',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Guards, not deadlines: these tests run real servers and streams and wait on signals,
    // so on a loaded machine they take longer; a hang still fails.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One private PostgreSQL cluster for the run (the tests on PostgreSQL + Redis, several
    // instances); each such test file creates its own database in it.
    globalSetup: ['../../packages/test-services/src/postgres-global-setup.ts'],
  },
});
