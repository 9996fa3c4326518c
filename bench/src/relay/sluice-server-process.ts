/** Worker: the real Sluice server (SQLite file, persistence on) as a system under test. */
import { createServerApp } from '@sluice/server';
import { loadBenchServerConfig } from './bench-server-config';
import { createCpuProfiler } from './cpu-profile';
import { createProcessProbe } from './process-probe';
import type { ServerInfo } from './protocol';
import { runWorker, serveWorker } from './serve-worker';

runWorker(async () => {
  const probe = createProcessProbe();
  const config = loadBenchServerConfig();
  const app = await createServerApp(config);
  const url = await app.listen();
  const info: ServerInfo = { url, port: Number(new URL(url).port) };
  const profiler = createCpuProfiler();
  serveWorker(info, {
    usage: () => probe.usage(),
    'profile-start': () => profiler.start(),
    'profile-stop': () => profiler.stop(),
    'reset-peaks': () => probe.resetPeaks(),
    async close() {
      await app.close();
      setImmediate(() => process.exit(0));
    },
  });
});
