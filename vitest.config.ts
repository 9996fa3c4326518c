import { defineConfig } from 'vitest/config';

const serverMatrixTests = [
  'test/plan-streaming.test.ts',
  'test/plan-faults.test.ts',
  'test/plan-continue.test.ts',
  'test/chat.test.ts',
  'test/chat-session-events.test.ts',
  'test/chat-watch.test.ts',
];

// One vitest run covers every package so that `pnpm test` ends with a single summary line.
export default defineConfig({
  test: {
    // Two test files at a time (vitest's default is one on a 2-core machine): most of these
    // tests wait on real servers and streams, so the second core is otherwise idle. The browser
    // tests still run one file at a time, after the rest (apps/web/e2e/vitest.config.ts).
    maxWorkers: 2,
    projects: [
      'packages/*',
      'apps/*',
      'apps/web/e2e',
      'bench',
      // The engine matrix: the server's engine, plan, chat and resume tests again on
      // PostgreSQL + Redis (see apps/server/test/support/test-stack.ts).
      {
        root: './apps/server',
        test: {
          name: 'server-postgres-redis',
          include: serverMatrixTests,
          env: { SLUICE_TEST_ENGINE: 'postgres-redis' },
          // As in apps/server/vitest.config.ts.
          testTimeout: 30_000,
          hookTimeout: 60_000,
          globalSetup: ['../../packages/test-services/src/postgres-global-setup.ts'],
        },
      },
    ],
  },
});
