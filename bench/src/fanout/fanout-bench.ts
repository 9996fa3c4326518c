import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '@sluice/simulator';
import {
  apiKeyHeaders,
  createBenchApiKey,
  postProcedure,
  refusalMessage,
  ServerRefusedError,
} from '../relay/bench-account';
import type { ProcessUsage, ServerInfo } from '../relay/protocol';
import { killAllWorkers, startWorker, type Worker } from '../relay/start-worker';
import type { OpenPayload, OpenResult } from './fanout-client-process';

export interface FanoutBenchOptions {
  /**
   * Runs, in order: subscribers of one generation and the SSE path serving them (`lean`, the
   * server's writer, or `trpc`, tRPC's own stream). The first ones are baselines.
   * Default 100 lean, 1000 trpc, 1000 lean, 10000 lean.
   */
  runs?: ReadonlyArray<{ subscribers: number; path: SsePath }>;
  /** Idle chat subscriptions opened to measure memory per subscriber. Default 2000. */
  idleSubscribers?: number;
  /** Client worker processes. Default 2. */
  clientWorkers?: number;
  /** Upstream pace, pieces per second. Default 40 (the simulator's realistic pace). */
  tokensPerSecond?: number;
  /** A run that has not finished this long after its first token is cut. Default 90 s. */
  runTimeoutMs?: number;
  log?: (line: string) => void;
}

export type SsePath = 'lean' | 'trpc';

interface Verification {
  exact: number;
  wrong: number;
  unfinished: number;
  failed: number;
  firstFailure?: string;
}

interface SubscriptionStats {
  open: number;
  overflows: number;
  frames: { formatted: number; reused: number };
}

interface HealthSummary {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface FanoutRun {
  subscribers: number;
  path: SsePath;
  connectMs: number;
  streamMs: number;
  verification: Verification;
  /** Probed while the generation streams to every subscriber; `whileConnecting` before that. */
  healthz: HealthSummary & { whileConnecting: HealthSummary; failed: number };
  serverCpuMs: number;
  serverPeakRssBytes: number;
  serverEventLoopP99Ms: number;
  frames: SubscriptionStats['frames'];
  overflows: number;
}

const workerUrl = (name: string) => new URL(`./${name}`, import.meta.url);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

/** Probes GET /healthz one request at a time (keep-alive) until stopped; returns latencies. */
function probeHealth(baseUrl: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const phases: Record<string, number[]> = { connect: [], stream: [] };
  let latencies = phases.connect as number[];
  let failed = 0;
  let running = true;
  const done = (async () => {
    while (running) {
      const started = performance.now();
      const ok = await new Promise<boolean>((resolve) => {
        const call = request(`${baseUrl}/healthz`, { agent, timeout: 10_000 }, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode === 200));
        });
        call.on('timeout', () => call.destroy());
        call.on('error', () => resolve(false));
        call.end();
      });
      if (ok) latencies.push(performance.now() - started);
      else failed += 1;
      await sleep(20);
    }
  })();
  const summary = (values: readonly number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return {
      samples: sorted.length,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      maxMs: sorted.at(-1) ?? Number.NaN,
    };
  };
  return {
    /** Latencies from now on count for the streaming phase. */
    streaming() {
      latencies = phases.stream as number[];
    },
    async stop() {
      running = false;
      await done;
      agent.destroy();
      return {
        ...summary(phases.stream as number[]),
        whileConnecting: summary(phases.connect as number[]),
        failed,
      };
    },
  };
}

/**
 * Opens `total` subscribers of `url`, spread over the client workers; a refused subscriber
 * (401, 429, …) throws ServerRefusedError naming the first refusal.
 */
async function openSubscribers(
  clients: ReadonlyArray<Worker<unknown>>,
  what: string,
  url: string,
  total: number,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<void> {
  const results = await Promise.all(
    split(total, clients.length).map((count, index) =>
      clients[index]?.request<OpenResult>(
        'open',
        { url, count, headers } satisfies OpenPayload,
        timeoutMs,
      ),
    ),
  );
  throwIfRefused(what, total, results);
}

/** Throws ServerRefusedError when the client workers saw a refusal (401, 429, …). */
function throwIfRefused(
  what: string,
  total: number,
  results: ReadonlyArray<OpenResult | undefined>,
): void {
  const refused = results.reduce((sum, result) => sum + (result?.refused ?? 0), 0);
  const first = results.find((result) => result?.firstRefusal)?.firstRefusal;
  if (refused > 0 && first) {
    throw new ServerRefusedError(
      `${refused} of ${total} subscribers: ${refusalMessage(what, first.status, first.body)}`,
    );
  }
}

function split(total: number, parts: number): number[] {
  return Array.from(
    { length: parts },
    (_, index) => Math.floor(total / parts) + (index < total % parts ? 1 : 0),
  );
}

/**
 * 10,000 subscribers of one generation over loopback, each checked for the exact text,
 * while /healthz is probed; a small run first is the baseline. Then memory per idle
 * subscriber. Everything is bounded in count and time and stops by itself.
 */
export async function runFanoutBench(options: FanoutBenchOptions = {}): Promise<{
  runs: FanoutRun[];
  idle: { subscribers: number; heapBytesEach: number; rssBytesEach: number };
  report: string;
}> {
  const log = options.log ?? ((line: string) => console.log(line));
  const scenarios = options.runs ?? [
    { subscribers: 100, path: 'lean' as const },
    { subscribers: 1000, path: 'trpc' as const },
    { subscribers: 1000, path: 'lean' as const },
    { subscribers: 10_000, path: 'lean' as const },
  ];
  const idleCount = options.idleSubscribers ?? 2000;
  const workerCount = options.clientWorkers ?? 2;
  const runTimeoutMs = options.runTimeoutMs ?? 90_000;
  // Each process (server, each client worker) needs one descriptor per subscriber it holds.
  const descriptorLimit = Number(execFileSync('sh', ['-c', 'ulimit -n']).toString().trim());
  const largest = Math.max(...scenarios.map((run) => run.subscribers), idleCount);
  if (Number.isFinite(descriptorLimit) && descriptorLimit < largest + 256) {
    throw new Error(
      `The fan-out bench needs \`ulimit -n\` above ${largest + 256} (it is ${descriptorLimit}): raise it (ulimit -n 65536) or pass fewer subscribers.`,
    );
  }
  const directory = mkdtempSync(join(tmpdir(), 'sluice-fanout-'));
  const runs: FanoutRun[] = [];
  const failures: Array<{ subscribers: number; path: SsePath; error: string }> = [];
  let server: Worker<ServerInfo> | undefined;
  const clients: Array<Worker<unknown>> = [];
  try {
    for (const { subscribers, path } of scenarios) {
      let simulator: Awaited<ReturnType<typeof startSimulator>> | undefined;
      let health: ReturnType<typeof probeHealth> | undefined;
      try {
        // Long enough for every subscriber to connect before the first token.
        simulator = await startSimulator({
          tokensPerSecond: options.tokensPerSecond ?? 40,
          firstTokenDelayMs: 1000 + subscribers,
          keepAliveIntervalMs: 1000,
        });
        server = await startWorker<ServerInfo>(workerUrl('fanout-server-process.ts'), {
          env: {
            BENCH_UPSTREAM_URL: simulator.url,
            BENCH_DATA_DIR: join(directory, `${subscribers}-${path}`),
            BENCH_SSE_PATH: path,
          },
          execArgv: [
            '--expose-gc',
            ...(process.env.BENCH_CPU_PROF
              ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
              : []),
          ],
        });
        while (clients.length < workerCount) {
          clients.push(await startWorker(workerUrl('fanout-client-process.ts')));
        }
        const url = server.info.url;
        // A fresh database: the first account is the bench's admin; its key goes everywhere.
        const headers = apiKeyHeaders(await createBenchApiKey(url));
        const { planId } = (await postProcedure(
          url,
          'plan.create',
          { goals: 'Run a 10k in under 55 minutes' },
          headers,
        )) as { planId: string };
        const eventsUrl = `${url}/trpc/plan.events?input=${encodeURIComponent(JSON.stringify({ planId }))}`;
        health = probeHealth(url);
        const before = await server.request<ProcessUsage>('reset-peaks');
        // SLUICE_BENCH_PROFILE_DIR=/some/dir keeps a CPU profile of the server while connecting.
        const profileDirectory = process.env.SLUICE_BENCH_PROFILE_DIR;
        if (profileDirectory) await server.request('profile-start');
        const connectStarted = performance.now();
        await openSubscribers(
          clients,
          'a plan.events subscriber',
          eventsUrl,
          subscribers,
          headers,
          runTimeoutMs,
        );
        const connectMs = performance.now() - connectStarted;
        if (profileDirectory) {
          const profile = await server.request<unknown>('profile-stop');
          writeFileSync(
            join(profileDirectory, `fanout-${subscribers}-${path}-connect.cpuprofile`),
            JSON.stringify(profile),
          );
        }
        health.streaming();
        const streamStarted = performance.now();
        const upstream = await simulator.waitFor(
          (record) => record.status !== 'streaming',
          runTimeoutMs,
        );
        // Every subscriber has its `return`, or the run is cut.
        const deadline = Date.now() + 30_000;
        for (;;) {
          const progress = await Promise.all(
            clients.map((client) => client.request<OpenResult & { ended: number }>('progress')),
          );
          // A refusal can follow the `connected` event (tRPC answers errors inside the stream).
          throwIfRefused('a plan.events subscriber', subscribers, progress);
          const settled = progress.reduce((sum, item) => sum + item.ended + item.failed, 0);
          if (settled >= subscribers || Date.now() > deadline) break;
          await sleep(100);
        }
        const streamMs = performance.now() - streamStarted;
        const after = await server.request<ProcessUsage>('usage');
        const healthz = await health.stop();
        health = undefined;
        const stats = await server.request<SubscriptionStats>('subscriptions');
        const verifications = await Promise.all(
          clients.map((client) => client.request<Verification>('verify', upstream.text)),
        );
        const verification = verifications.reduce(
          (sum, item) => ({
            exact: sum.exact + item.exact,
            wrong: sum.wrong + item.wrong,
            unfinished: sum.unfinished + item.unfinished,
            failed: sum.failed + item.failed,
            firstFailure: sum.firstFailure ?? item.firstFailure,
          }),
          { exact: 0, wrong: 0, unfinished: 0, failed: 0 } as Verification,
        );
        const run: FanoutRun = {
          subscribers,
          path,
          connectMs,
          streamMs,
          verification,
          healthz,
          serverCpuMs:
            (after.cpuUserMicros -
              before.cpuUserMicros +
              after.cpuSystemMicros -
              before.cpuSystemMicros) /
            1000,
          serverPeakRssBytes: after.peakRssBytes,
          serverEventLoopP99Ms: after.eventLoopDelayP99Ms,
          frames: stats.frames,
          overflows: stats.overflows,
        };
        runs.push(run);
        log(
          `fanout ${subscribers} (${path}): ${verification.exact}/${subscribers} exact, /healthz p99 ${healthz.p99Ms.toFixed(1)} ms`,
        );
        await Promise.all(clients.map((client) => client.request('closeAll')));
        await server.stop();
        server = undefined;
        await simulator.close();
      } catch (error) {
        // A refusal is a bench set-up error: stop the whole bench with its message.
        await health?.stop();
        if (error instanceof ServerRefusedError) {
          await simulator?.close();
          throw error;
        }
        // A run that cannot finish (tRPC's path with many subscribers) is reported, not fatal.
        failures.push({ subscribers, path, error: (error as Error).message });
        log(`fanout ${subscribers} (${path}) did not finish: ${(error as Error).message}`);
        await Promise.all(clients.map((client) => client.stop().catch(() => undefined)));
        clients.length = 0;
        await server?.stop().catch(() => undefined);
        server = undefined;
        await simulator?.close();
      }
    }

    // Memory per idle subscriber: chat sessions with nothing being written.
    const simulator = await startSimulator({ tokensPerSecond: 40 });
    server = await startWorker<ServerInfo>(workerUrl('fanout-server-process.ts'), {
      env: { BENCH_UPSTREAM_URL: simulator.url, BENCH_DATA_DIR: join(directory, 'idle') },
      execArgv: [
        '--expose-gc',
        ...(process.env.BENCH_CPU_PROF
          ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
          : []),
      ],
    });
    const url = server.info.url;
    const headers = apiKeyHeaders(await createBenchApiKey(url));
    const session = (await postProcedure(
      url,
      'chat.createSession',
      { title: 'Idle' },
      headers,
    )) as {
      id: string;
    };
    const idleUrl = `${url}/trpc/chat.events?input=${encodeURIComponent(JSON.stringify({ sessionId: session.id }))}`;
    // Warm up the code paths, then measure a clean difference.
    await openSubscribers(
      clients.slice(0, 1),
      'a chat.events subscriber',
      idleUrl,
      50,
      headers,
      runTimeoutMs,
    );
    await clients[0]?.request('closeAll');
    await sleep(500);
    const empty = await server.request<{ rssBytes: number; heapUsedBytes: number }>('gc');
    await openSubscribers(
      clients,
      'a chat.events subscriber',
      idleUrl,
      idleCount,
      headers,
      runTimeoutMs,
    );
    await sleep(500);
    const full = await server.request<{ rssBytes: number; heapUsedBytes: number }>('gc');
    const idle = {
      subscribers: idleCount,
      heapBytesEach: (full.heapUsedBytes - empty.heapUsedBytes) / idleCount,
      rssBytesEach: (full.rssBytes - empty.rssBytes) / idleCount,
    };
    await server.stop();
    server = undefined;
    await simulator.close();

    const report = formatFanoutReport(options, workerCount, runs, failures, idle);
    console.log(report);
    return { runs, idle, report };
  } finally {
    await Promise.all(clients.map((client) => client.stop().catch(() => undefined)));
    await server?.stop().catch(() => undefined);
    killAllWorkers();
    rmSync(directory, { recursive: true, force: true });
  }
}

function formatFanoutReport(
  options: FanoutBenchOptions,
  workerCount: number,
  runs: readonly FanoutRun[],
  failures: ReadonlyArray<{ subscribers: number; path: SsePath; error: string }>,
  idle: { subscribers: number; heapBytesEach: number; rssBytesEach: number },
): string {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  const lines = [
    '',
    '## Fan-out: subscribers of one generation (loopback, lean SSE readers in worker processes)',
    '',
    '| subscribers | SSE path | exact text | /healthz p50 / p99 / max while streaming | /healthz p99 while connecting | /healthz failed | server CPU | server peak RSS | loop delay p99 | frames serialised / reused | connect | stream |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const run of runs) {
    const v = run.verification;
    lines.push(
      `| ${run.subscribers} | ${run.path} | ${v.exact}/${run.subscribers}${v.wrong + v.unfinished + v.failed > 0 ? ` (wrong ${v.wrong}, unfinished ${v.unfinished}, failed ${v.failed})` : ''} | ${run.healthz.p50Ms.toFixed(1)} / ${run.healthz.p99Ms.toFixed(1)} / ${run.healthz.maxMs.toFixed(1)} ms | ${run.healthz.whileConnecting.p99Ms.toFixed(1)} ms | ${run.healthz.failed} | ${(run.serverCpuMs / 1000).toFixed(1)} s | ${(run.serverPeakRssBytes / 1048576).toFixed(0)} MiB | ${run.serverEventLoopP99Ms.toFixed(0)} ms | ${run.frames.formatted} / ${run.frames.reused} | ${(run.connectMs / 1000).toFixed(1)} s | ${(run.streamMs / 1000).toFixed(1)} s |`,
    );
  }
  for (const failure of failures) {
    lines.push(
      `| ${failure.subscribers} | ${failure.path} | did not finish: ${failure.error} | | | | | | | | | |`,
    );
  }
  const target = runs.at(-1);
  if (target) {
    const met = target.verification.exact === target.subscribers && target.healthz.p99Ms <= 100;
    lines.push(
      '',
      `Target (all ${target.subscribers} exact, /healthz p99 ≤ 100 ms while streaming): ${met ? 'met' : 'NOT met'}. The first row is the baseline, measured in the same run. Subscribers connect before the first token (the simulator waits 1 s + 1 ms per subscriber), at ${options.tokensPerSecond ?? 40} pieces per second.`,
      `Machine: ${cpus().length} cores, \`ulimit -n\` ${execFileSync('sh', ['-c', 'ulimit -n']).toString().trim()}, load average ${loadavg()
        .map((value) => value.toFixed(1))
        .join(
          ' / ',
        )} at the end (other processes share these cores); clients run in ${workerCount} worker processes on the same cores.`,
    );
  }
  lines.push(
    '',
    `Memory per idle subscriber (${idle.subscribers} open chat.events, after GC): heap ${kib(idle.heapBytesEach)}, RSS ${kib(idle.rssBytesEach)}.`,
    `File descriptors: the server holds one socket per subscriber, so \`ulimit -n\` must exceed the subscriber count (the bench's clients hold as many again, in their own processes).`,
  );
  return lines.join('\n');
}
