import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBenchApiKey } from './bench-account';
import { type ClientStream, type LoadOptions, type LoadResult, wallClock } from './client-stream';
import { type CpuProfile, type ProfileSummary, summarizeCpuProfile } from './cpu-profile';
import { formatRelayReport } from './format-relay-report';
import { machineBusyCores, machineBusyMs } from './machine-load';
import { type DeliveryMeasurement, measureDelivery } from './measure-delivery';
import type { ProcessUsage, ServerInfo, UpstreamStream } from './protocol';
import { runRawRelayClients } from './raw-relay-clients';
import {
  readPersistedPlans,
  readPersistedReplies,
  runSluiceChatClients,
  runSluiceClients,
  type SluiceLoadResult,
} from './sluice-clients';
import { killAllWorkers, startWorker, type Worker } from './start-worker';
import { sampleConnections } from './tcp-connections';

/** The raw relay, or Sluice through one of its two paths (plan.create / chat.send). */
export type RelaySystem = 'raw' | 'plans' | 'chat';

/** One load shape: the issue's S1, S2, S3. */
export interface RelayScenario {
  name: string;
  /** Concurrent streams. */
  streams: number;
  /** Upstream pieces per second per stream; undefined: unpaced (as fast as the upstream writes). */
  tokensPerSecond?: number;
  /** Upstream pieces per stream (the simulator's `length-after-<K>`; a whole plan is ~700). */
  pieces: number;
  /** Runs the streams this many times, one batch after another (S1: one stream, repeated). */
  repeats?: number;
}

export const defaultScenarios: readonly RelayScenario[] = [
  { name: 'S1', streams: 1, pieces: 100_000, repeats: 10 },
  { name: 'S2', streams: 100, tokensPerSecond: 50, pieces: 300 },
  { name: 'S3', streams: 1000, tokensPerSecond: 20, pieces: 300 },
];

/** What an unpaced simulator is told: no wait between pieces. */
const unpacedTokensPerSecond = 1e9;

export interface RelayBenchOptions {
  /** Load shapes, in run order. Default S1, S2, S3 (see defaultScenarios). */
  scenarios?: readonly RelayScenario[];
  /** Systems under test, in run order. Default ['raw', 'plans', 'chat']. */
  systems?: readonly RelaySystem[];
  /** Default 200 ms. */
  firstTokenDelayMs?: number;
  /** The simulator's keep-alive comment cadence. Default 1000 ms (its own default is 300). */
  keepAliveIntervalMs?: number;
  /** How long past the last stream's scheduled end a run may last before it is cut. Default 10 s. */
  graceMs?: number;
  /** Before each run, wait up to this long for other processes to go quiet. Default 10 s. */
  quietWaitMs?: number;
  /** Profiles every system under test during each load window (V8's sampling profiler). Default true. */
  profile?: boolean;
  /** Progress lines. Default: console.log. The report itself always goes to stdout. */
  log?: (line: string) => void;
}

export interface RelayRun {
  system: RelaySystem;
  scenario: RelayScenario;
  streams: number;
  /** Sum over streams of first text → last text, ms: the time spent streaming. */
  streamingMs: number;
  /** Where the server's CPU went during the load window (when profiled). */
  profile?: ProfileSummary;
  rampMs: number;
  wallMs: number;
  delivery: DeliveryMeasurement;
  server: {
    before: ProcessUsage;
    after: ProcessUsage;
    /** CPU during the load window, ms. */
    cpuMs: number;
    /** CPU the idle process uses per second (timers, this probe), measured just before. */
    idleCpuMsPerSecond: number;
  };
  clientsCpuMs: number;
  simulatorCpuMs: number;
  /** CPU used by every other process on the machine during the run (other engineers' jobs). */
  otherCpuMs: number;
  peakOpenStreams: number;
  /** Kernel-counted established connections: clients → server, server → upstream. */
  peakConnections: { server: number; upstream: number };
  endStatuses: Record<string, number>;
  /** Sluice only, for the streams that ended: saved content equal to the upstream text. */
  persisted?: { checked: number; exact: number; statuses: Record<string, number> };
}

export interface RelayBenchResult {
  settings: Required<Omit<RelayBenchOptions, 'log'>>;
  runs: RelayRun[];
  report: string;
}

const workerUrl = (name: string) => new URL(`./${name}`, import.meta.url);
const warmUpPieces = 10;
/** Busy cores (all processes) below which the machine counts as quiet before a run. */
const quietCores = 0.5;

function cpuMs(before: { cpuUserMicros: number; cpuSystemMicros: number }, after: typeof before) {
  return (
    (after.cpuUserMicros - before.cpuUserMicros + after.cpuSystemMicros - before.cpuSystemMicros) /
    1000
  );
}

function processCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

function tally(values: Iterable<string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

function endStatusOf(stream: ClientStream): string {
  if (stream.ended) return stream.endStatus ?? 'ended';
  return stream.error === undefined ? 'open' : `error: ${stream.error.slice(0, 60)}`;
}

/** Streams start evenly over a short ramp so they are all concurrent, not all in phase. */
function rampFor(streams: number): number {
  return streams <= 1 ? 0 : Math.min(2000, streams * 2);
}

interface RunContext {
  simulator: Worker<ServerInfo>;
  settings: RelayBenchResult['settings'];
  log: (line: string) => void;
}

async function startSystem(
  system: RelaySystem,
  context: RunContext,
): Promise<{ worker: Worker<ServerInfo>; cleanup: () => void; apiKey?: string }> {
  const env: Record<string, string> = { BENCH_UPSTREAM_URL: context.simulator.info.url };
  const execArgv: string[] = [];
  if (system === 'raw') {
    const worker = await startWorker<ServerInfo>(workerUrl('raw-relay-process.ts'), {
      env,
      execArgv,
    });
    // The raw relay is the baseline: no accounts, as before.
    return { worker, cleanup: () => undefined };
  }
  const directory = mkdtempSync(join(tmpdir(), 'sluice-relay-bench-'));
  env.BENCH_DATA_DIR = directory;
  const cleanup = () => rmSync(directory, { recursive: true, force: true });
  let worker: Worker<ServerInfo> | undefined;
  try {
    worker = await startWorker<ServerInfo>(workerUrl('sluice-server-process.ts'), {
      env,
      execArgv,
    });
    // A fresh database: the first account is the bench's admin; its key goes on every request.
    const apiKey = await createBenchApiKey(worker.info.url);
    return { worker, cleanup, apiKey };
  } catch (error) {
    await worker?.stop();
    cleanup();
    throw error;
  }
}

/**
 * Waits (bounded) until other processes leave the cores mostly idle, and says so.
 * Returns the server's idle CPU rate (ms per second) measured over the last quiet second.
 */
async function waitForQuiet(context: RunContext, server: Worker<ServerInfo>): Promise<number> {
  const giveUpAt = Date.now() + context.settings.quietWaitMs;
  for (;;) {
    const before = await server.request<ProcessUsage>('usage');
    const busy = await machineBusyCores(1000);
    const after = await server.request<ProcessUsage>('usage');
    const idleRate = cpuMs(before, after) / ((after.at - before.at) / 1000);
    if (!(busy > quietCores)) return idleRate;
    if (Date.now() >= giveUpAt) {
      context.log(`  the machine is still busy (${busy.toFixed(2)} cores): measuring anyway`);
      return idleRate;
    }
    context.log(`  waiting for other load to settle (${busy.toFixed(2)} cores busy)…`);
  }
}

function sluiceKey(apiKey: string | undefined): string {
  if (!apiKey) throw new Error('The Sluice server was started without a bench API key');
  return apiKey;
}

function runClients(
  system: RelaySystem,
  options: LoadOptions,
  apiKey: string | undefined,
): Promise<LoadResult | SluiceLoadResult> {
  switch (system) {
    case 'raw':
      return runRawRelayClients(options);
    case 'plans':
      return runSluiceClients({ ...options, apiKey: sluiceKey(apiKey) });
    case 'chat':
      return runSluiceChatClients({ ...options, apiKey: sluiceKey(apiKey) });
  }
}

function isSluiceLoad(load: LoadResult | SluiceLoadResult): load is SluiceLoadResult {
  return 'client' in load;
}

/** Sum over streams of first text → last text. */
function streamingMsOf(streams: readonly ClientStream[]): number {
  let total = 0;
  for (const stream of streams) {
    const first = stream.receiptTimes[0];
    const last = stream.receiptTimes.at(-1);
    if (first !== undefined && last !== undefined) total += last - first;
  }
  return total;
}

function timeLimitMs(scenario: RelayScenario, settings: RelayBenchResult['settings']): number {
  const streamingMs =
    scenario.tokensPerSecond === undefined
      ? 20_000
      : (scenario.pieces * 1000) / scenario.tokensPerSecond;
  return rampFor(scenario.streams) + settings.firstTokenDelayMs + streamingMs + settings.graceMs;
}

async function runOne(
  system: RelaySystem,
  scenario: RelayScenario,
  context: RunContext,
): Promise<RelayRun> {
  const { settings, simulator } = context;
  const { streams } = scenario;
  // Tags are `bench-<run>-<index>`: the run id is lower-case letters and digits only.
  const runId = `${system}${scenario.name.toLowerCase()}`;
  const { worker, cleanup, apiKey } = await startSystem(system, context);
  try {
    // One short stream first: module loading and JIT warm-up stay out of the measurement.
    const warmUp = await runClients(
      system,
      {
        url: worker.info.url,
        runId: `warm${runId}`,
        streams: 1,
        pieces: warmUpPieces,
        rampMs: 0,
        signal: AbortSignal.timeout(15_000),
      },
      apiKey,
    );
    if (!warmUp.streams.every((stream) => stream.ended)) {
      throw new Error(`${system}: the warm-up stream failed: ${warmUp.streams[0]?.error}`);
    }

    const idleCpuMsPerSecond = await waitForQuiet(context, worker);
    const rampMs = rampFor(streams);
    const connections = sampleConnections([worker.info.port, simulator.info.port]);
    const simulatorBefore = await simulator.request<ProcessUsage>('usage');
    if (settings.profile) await worker.request('profile-start');
    const before = await worker.request<ProcessUsage>('reset-peaks');
    const clientsBefore = processCpuMs();
    const machineBefore = await machineBusyMs();
    const startedAt = wallClock();

    const loads: Array<LoadResult | SluiceLoadResult> = [];
    for (let repeat = 0; repeat < (scenario.repeats ?? 1); repeat++) {
      const signal = AbortSignal.timeout(timeLimitMs(scenario, settings));
      // Every stream listens for the deadline (a few listeners each).
      setMaxListeners(0, signal);
      loads.push(
        await runClients(
          system,
          {
            url: worker.info.url,
            runId: scenario.repeats ? `${runId}r${repeat}` : runId,
            streams,
            pieces: scenario.pieces,
            rampMs,
            signal,
          },
          apiKey,
        ),
      );
    }

    const wallMs = wallClock() - startedAt;
    const clientsCpuMs = processCpuMs() - clientsBefore;
    const after = await worker.request<ProcessUsage>('usage');
    const cpuProfile = settings.profile
      ? await worker.request<CpuProfile | undefined>('profile-stop')
      : undefined;
    // For a closer look (a call tree in Chrome's DevTools): SLUICE_BENCH_PROFILE_DIR=/some/dir.
    const profileDirectory = process.env.SLUICE_BENCH_PROFILE_DIR;
    if (cpuProfile && profileDirectory) {
      writeFileSync(
        join(profileDirectory, `${scenario.name}-${system}.cpuprofile`),
        JSON.stringify(cpuProfile),
      );
    }
    const simulatorAfter = await simulator.request<ProcessUsage>('usage');
    const machineCpuMs = (await machineBusyMs()) - machineBefore;
    const serverCpuMs = cpuMs(before, after);
    const simulatorCpuMs = cpuMs(simulatorBefore, simulatorAfter);
    const peaks = await connections.stop();

    const clientStreams = loads.flatMap((load) => load.streams);
    const upstream = await simulator.request<UpstreamStream[]>('collect', {
      tagPrefix: `bench-${runId}`,
    });
    let persisted: RelayRun['persisted'];
    const sluiceLoads = loads.filter(isSluiceLoad);
    const firstSluiceLoad = sluiceLoads[0];
    if (firstSluiceLoad) {
      // Only streams that ended: a plan or reply cut at the deadline is still generating.
      const endedTags = new Set(
        clientStreams.filter((stream) => stream.ended).map((stream) => stream.tag),
      );
      const ended = <TValue>(entries: Iterable<[string, TValue]>) =>
        new Map([...entries].filter(([tag]) => endedTags.has(tag)));
      const saved =
        system === 'plans'
          ? await readPersistedPlans(
              firstSluiceLoad.client,
              ended(sluiceLoads.flatMap((load) => [...load.planIds])),
            )
          : await readPersistedReplies(
              firstSluiceLoad.client,
              ended(sluiceLoads.flatMap((load) => [...load.replies])),
            );
      const upstreamByTag = new Map(upstream.map((stream) => [stream.tag, stream]));
      let exact = 0;
      for (const [tag, plan] of saved) {
        if (plan.content === upstreamByTag.get(tag)?.text) exact += 1;
      }
      persisted = {
        checked: saved.size,
        exact,
        statuses: tally([...saved.values()].map((plan) => plan.status)),
      };
    }

    return {
      system,
      scenario,
      streams: clientStreams.length,
      rampMs,
      wallMs,
      streamingMs: streamingMsOf(clientStreams),
      profile: cpuProfile ? summarizeCpuProfile(cpuProfile) : undefined,
      delivery: measureDelivery(clientStreams, upstream),
      server: { before, after, cpuMs: serverCpuMs, idleCpuMsPerSecond },
      clientsCpuMs,
      simulatorCpuMs,
      otherCpuMs: Math.max(0, machineCpuMs - serverCpuMs - simulatorCpuMs - clientsCpuMs),
      peakOpenStreams: Math.max(...loads.map((load) => load.peakOpenStreams)),
      peakConnections: {
        server: peaks.get(worker.info.port) ?? 0,
        upstream: peaks.get(simulator.info.port) ?? 0,
      },
      endStatuses: tally(clientStreams.map(endStatusOf)),
      persisted,
    };
  } finally {
    await worker.stop();
    cleanup();
  }
}

export function systemLabel(system: RelaySystem): string {
  return system === 'raw' ? 'raw relay' : `Sluice ${system}`;
}

/**
 * Measures what Sluice adds between an upstream and its subscribers, against a minimal
 * raw Node SSE relay in the same run. The system under test, the simulator and the
 * clients (this process) each have their own process, so CPU is attributable.
 */
export async function runRelayBench(options: RelayBenchOptions = {}): Promise<RelayBenchResult> {
  const settings: RelayBenchResult['settings'] = {
    scenarios: options.scenarios ?? defaultScenarios,
    systems: options.systems ?? ['raw', 'plans', 'chat'],
    firstTokenDelayMs: options.firstTokenDelayMs ?? 200,
    keepAliveIntervalMs: options.keepAliveIntervalMs ?? 1000,
    graceMs: options.graceMs ?? 10_000,
    quietWaitMs: options.quietWaitMs ?? 10_000,
    profile: options.profile ?? true,
  };
  const log = options.log ?? ((line: string) => console.log(line));
  const runs: RelayRun[] = [];
  try {
    for (const scenario of settings.scenarios) {
      // One simulator per scenario: the pace is the simulator's.
      const simulator = await startWorker<ServerInfo>(workerUrl('simulator-process.ts'), {
        env: {
          BENCH_TOKENS_PER_SECOND: String(scenario.tokensPerSecond ?? unpacedTokensPerSecond),
          BENCH_FIRST_TOKEN_DELAY_MS: String(settings.firstTokenDelayMs),
          BENCH_KEEP_ALIVE_INTERVAL_MS: String(settings.keepAliveIntervalMs),
        },
      });
      const context: RunContext = { simulator, settings, log };
      try {
        for (const system of settings.systems) {
          log(
            `relay bench ${scenario.name}: ${systemLabel(system)} × ${scenario.streams} streams` +
              `${scenario.repeats ? ` × ${scenario.repeats} in turn` : ''}…`,
          );
          const run = await runOne(system, scenario, context);
          log(
            `  ${run.delivery.exact}/${run.streams} exact, ${run.delivery.tokensDelivered} tokens, ` +
              `server CPU ${run.server.cpuMs.toFixed(0)} ms in ${(run.wallMs / 1000).toFixed(1)} s`,
          );
          runs.push(run);
        }
      } finally {
        await simulator.stop();
      }
    }
  } finally {
    killAllWorkers();
  }
  const report = formatRelayReport(settings, runs);
  console.log(report);
  return { settings, runs, report };
}
