/** Worker: the real Sluice server, with subscription caps raised for the fan-out bench. */
import { createServerApp } from '@sluice/server';
import { loadBenchServerConfig } from '../relay/bench-server-config';
import { createCpuProfiler } from '../relay/cpu-profile';
import { createProcessProbe } from '../relay/process-probe';
import type { ServerInfo } from '../relay/protocol';
import { runWorker, serveWorker } from '../relay/serve-worker';

runWorker(async () => {
  const probe = createProcessProbe();
  const config = loadBenchServerConfig();
  const app = await createServerApp(config, {
    trpcSubscriptionPath: process.env.BENCH_SSE_PATH === 'trpc',
  });
  const url = await app.listen();
  const info: ServerInfo = { url, port: Number(new URL(url).port) };
  const profiler = createCpuProfiler();
  serveWorker(info, {
    'profile-start': () => profiler.start(),
    'profile-stop': () => profiler.stop(),
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
