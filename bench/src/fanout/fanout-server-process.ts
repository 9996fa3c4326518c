/** Worker: the real Sluice server, with subscription caps raised for the fan-out bench. */
import { join } from 'node:path';
import { createServerApp, loadConfig } from '@sluice/server';
import { benchServerLimits } from '../relay/bench-account';
import { createProcessProbe } from '../relay/process-probe';
import type { ServerInfo } from '../relay/protocol';
import { runWorker, serveWorker } from '../relay/serve-worker';

runWorker(async () => {
  const upstreamUrl = process.env.BENCH_UPSTREAM_URL;
  const directory = process.env.BENCH_DATA_DIR;
  if (!upstreamUrl || !directory)
    throw new Error('BENCH_UPSTREAM_URL and BENCH_DATA_DIR are set by the bench');
  const probe = createProcessProbe();
  // 10,000 subscribers of one account from one address: the caps are raised.
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
  const app = await createServerApp(config, {
    trpcSubscriptionPath: process.env.BENCH_SSE_PATH === 'trpc',
  });
  const url = await app.listen();
  const info: ServerInfo = { url, port: Number(new URL(url).port) };
  serveWorker(info, {
    usage: () => probe.usage(),
    'reset-peaks': () => probe.resetPeaks(),
    subscriptions: () => app.subscriptions.stats(),
    gc: () => {
      globalThis.gc?.();
      globalThis.gc?.();
      const memory = process.memoryUsage();
      return { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed };
    },
    async close() {
      await app.close();
      setImmediate(() => process.exit(0));
    },
  });
});
