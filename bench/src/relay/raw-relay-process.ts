/** Worker: the raw relay baseline as a system under test, in its own process. */
import type { AddressInfo } from 'node:net';
import { createCpuProfiler } from './cpu-profile';
import { createProcessProbe } from './process-probe';
import type { ServerInfo } from './protocol';
import { createRawRelayServer } from './raw-relay-server';
import { runWorker, serveWorker } from './serve-worker';

runWorker(async () => {
  const upstreamUrl = process.env.BENCH_UPSTREAM_URL;
  if (!upstreamUrl) throw new Error('BENCH_UPSTREAM_URL is not set');
  const probe = createProcessProbe();
  const server = createRawRelayServer({ upstreamUrl });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const info: ServerInfo = { url: `http://127.0.0.1:${port}`, port };
  const profiler = createCpuProfiler();
  serveWorker(info, {
    usage: () => probe.usage(),
    'profile-start': () => profiler.start(),
    'profile-stop': () => profiler.stop(),
    'reset-peaks': () => probe.resetPeaks(),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      setImmediate(() => process.exit(0));
    },
  });
});
