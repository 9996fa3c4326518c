/** Worker: the real Sluice server (SQLite file, persistence on) as a system under test. */
import { join } from 'node:path';
import { createServerApp, loadConfig } from '@sluice/server';
import { benchServerLimits } from './bench-account';
import { createProcessProbe } from './process-probe';
import type { ServerInfo } from './protocol';
import { runWorker, serveWorker } from './serve-worker';

runWorker(async () => {
  const upstreamUrl = process.env.BENCH_UPSTREAM_URL;
  const directory = process.env.BENCH_DATA_DIR;
  if (!upstreamUrl || !directory)
    throw new Error('BENCH_UPSTREAM_URL and BENCH_DATA_DIR are set by the bench');
  const probe = createProcessProbe();
  // Limits raised (one account holds every stream); defaults everywhere else
  // (FLUSH_INTERVAL_MS 250, timeouts).
  const config = loadConfig({
    ...benchServerLimits,
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: join(directory, 'sluice.db'),
    OPENROUTER_BASE_URL: upstreamUrl,
    OPENROUTER_MODEL: 'sluice/simulator',
    LOG_LEVEL: 'silent',
    WEB_DIST_DIR: join(directory, 'no-web'),
  });
  const app = await createServerApp(config);
  const url = await app.listen();
  const info: ServerInfo = { url, port: Number(new URL(url).port) };
  serveWorker(info, {
    usage: () => probe.usage(),
    'reset-peaks': () => probe.resetPeaks(),
    async close() {
      await app.close();
      setImmediate(() => process.exit(0));
    },
  });
});
