import { defineConfig } from 'vitest/config';

// One vitest run covers every package so that `pnpm test` ends with a single summary line.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'apps/web/e2e', 'bench'],
  },
});
