import { defineProject } from 'vitest/config';

// Browser tests: the built web app, the real server and the bundled simulator over loopback,
// driven by playwright-core through Debian's Chromium (see support/launch-chromium.ts).
export default defineProject({
  test: {
    name: 'web-e2e',
    include: ['**/*.e2e.test.ts'],
    globalSetup: ['./support/build-web-app.ts'],
    // One file at a time (each starts a server and a browser; the machine has 2 cores)…
    fileParallelism: false,
    // …and after the other projects, so timing-sensitive unit tests never compete with Chromium.
    sequence: { groupOrder: 1 },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
