import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createServerApp, loadConfig, type ServerApp } from '@sluice/server';
import { type Simulator, startSimulator } from '@sluice/simulator';
import { startPostgres, startRedis } from '@sluice/test-services';
import { benchServerLimits, createBenchApiKey } from '../relay/bench-account';
import { createSluiceClient, type SluiceClient } from '../relay/sluice-clients';

const plans = Number(process.env.BENCH_INSTANCE_PLANS ?? 100);
const tokensPerSecond = 200;
const cancelCount = 20;

interface Deployment {
  name: string;
  urls: string[];
  simulators: Simulator[];
  close(): Promise<void>;
}

interface PlanFigures {
  /** plan.create sent → its answer. */
  createMs: number;
  /** plan.create sent → the subscriber's first event (a snapshot, or the first text). */
  firstEventMs: number;
  /** The upstream's last byte → `end` at the subscriber (saving included). */
  endLagMs: number;
  events: number;
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

async function startApps(count: number, env: Record<string, string>, directory: string) {
  const apps: ServerApp[] = [];
  const simulators: Simulator[] = [];
  for (let index = 0; index < count; index++) {
    const simulator = await startSimulator({ tokensPerSecond, keepAliveIntervalMs: 1000 });
    const app = await createServerApp(
      loadConfig({
        ...benchServerLimits,
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: join(directory, 'sluice.db'),
        OPENROUTER_BASE_URL: simulator.url,
        OPENROUTER_MODEL: 'sluice/simulator',
        LOG_LEVEL: 'silent',
        WEB_DIST_DIR: join(directory, 'no-web'),
        ...env,
      }),
    );
    await app.listen();
    apps.push(app);
    simulators.push(simulator);
  }
  return { apps, simulators };
}

async function oneOnSqlite(): Promise<Deployment> {
  const directory = mkdtempSync(join(tmpdir(), 'sluice-bench-sqlite-'));
  const { apps, simulators } = await startApps(1, {}, directory);
  return {
    name: 'one instance, SQLite + in-process bus',
    urls: apps.map((app) => app.url),
    simulators,
    async close() {
      for (const app of apps) await app.close();
      for (const simulator of simulators) await simulator.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

async function twoOnPostgresAndRedis(): Promise<Deployment> {
  const directory = mkdtempSync(join(tmpdir(), 'sluice-bench-instances-'));
  const postgres = await startPostgres();
  const redis = await startRedis();
  const { apps, simulators } = await startApps(
    2,
    { DATABASE_URL: postgres.url, REDIS_URL: redis.url },
    directory,
  );
  return {
    name: 'two instances, PostgreSQL + Redis (watched on the other one)',
    urls: apps.map((app) => app.url),
    simulators,
    async close() {
      for (const app of apps) await app.close();
      for (const simulator of simulators) await simulator.close();
      await redis.stop();
      await postgres.stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Creates `plans` plans round-robin over the instances, each watched on the next instance. */
async function measure(deployment: Deployment, apiKey: string) {
  const clients: SluiceClient[] = deployment.urls.map((url) => createSluiceClient(url, { apiKey }));
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: plans }, async (_, index) => {
      const creator = clients[index % clients.length] as SluiceClient;
      const watcher = clients[(index + 1) % clients.length] as SluiceClient;
      const sentAt = performance.now();
      const goals = `Bench goal ${index}: learn topic ${index * 13}`;
      const { planId } = await creator.plan.create.mutate({ goals });
      const createMs = performance.now() - sentAt;
      return new Promise<PlanFigures & { goals: string; endedAt: number; text: string }>(
        (resolve, reject) => {
          let firstEventMs = Number.NaN;
          let events = 0;
          let text = '';
          const subscription = watcher.plan.events.subscribe(
            { planId },
            {
              onData({ data }) {
                events += 1;
                if (Number.isNaN(firstEventMs)) firstEventMs = performance.now() - sentAt;
                if (data.type === 'text-delta') {
                  text += data.text;
                } else if (data.type === 'snapshot') {
                  text = data.content;
                } else if (data.type === 'end') {
                  subscription.unsubscribe();
                  resolve({
                    createMs,
                    firstEventMs,
                    endLagMs: 0,
                    events,
                    goals,
                    endedAt: Date.now(),
                    text,
                  });
                }
              },
              onError: reject,
            },
          );
        },
      );
    }),
  );
  const elapsedMs = performance.now() - started;
  const upstream = deployment.simulators.flatMap((simulator) => simulator.requests);
  let exact = 0;
  for (const result of results) {
    const request = upstream.find((record) => JSON.stringify(record.body).includes(result.goals));
    if (request?.endedAt !== undefined) result.endLagMs = result.endedAt - request.endedAt;
    if (request?.text === result.text) exact += 1;
  }
  const events = results.reduce((sum, result) => sum + result.events, 0);
  return {
    deployment: deployment.name,
    'plans/s': ((plans / elapsedMs) * 1000).toFixed(1),
    // Fewer events for the same text: deltas merged while a subscriber was behind.
    'events received': events,
    'plan.create p50/p99 (ms)': `${percentile(
      results.map((r) => r.createMs),
      0.5,
    ).toFixed(0)} / ${percentile(
      results.map((r) => r.createMs),
      0.99,
    ).toFixed(0)}`,
    'first event p50/p99 (ms)': `${percentile(
      results.map((r) => r.firstEventMs),
      0.5,
    ).toFixed(0)} / ${percentile(
      results.map((r) => r.firstEventMs),
      0.99,
    ).toFixed(0)}`,
    'upstream end → client end p50/p99 (ms)': `${percentile(
      results.map((r) => r.endLagMs),
      0.5,
    ).toFixed(0)} / ${percentile(
      results.map((r) => r.endLagMs),
      0.99,
    ).toFixed(0)}`,
    exact: `${exact}/${plans}`,
  };
}

/**
 * Cancels from one instance plans that run on the other (one after another, each once it
 * streams): the time from sending `plan.cancel` until the owner's upstream request is aborted
 * (the simulator saw the connection close), and until the cancel is answered.
 */
async function measureCancels(deployment: Deployment, apiKey: string, count: number) {
  const clients = deployment.urls.map((url) => createSluiceClient(url, { apiKey }));
  const owner = clients[0] as SluiceClient;
  const canceller = clients[clients.length - 1] as SluiceClient;
  const abortedMs: number[] = [];
  const answeredMs: number[] = [];
  for (let index = 0; index < count; index++) {
    const goals = `Cancelled goal ${index}: learn topic ${index * 17}`;
    const { planId } = await owner.plan.create.mutate({ goals });
    const simulator = deployment.simulators[0] as Simulator;
    await simulator.waitFor(
      (record) => record.text.length > 0 && JSON.stringify(record.body).includes(goals),
      30_000,
    );
    const sentAt = Date.now();
    const started = performance.now();
    await canceller.plan.cancel.mutate({ planId });
    answeredMs.push(performance.now() - started);
    const record = await simulator.waitFor(
      (request) => request.clientAborted && JSON.stringify(request.body).includes(goals),
      30_000,
    );
    abortedMs.push((record.endedAt ?? Date.now()) - sentAt);
  }
  return {
    deployment: deployment.name,
    cancels: count,
    'cancel sent → upstream aborted p50/max (ms)': `${percentile(abortedMs, 0.5).toFixed(0)} / ${Math.max(...abortedMs).toFixed(0)}`,
    'cancel answered p50/max (ms)': `${percentile(answeredMs, 0.5).toFixed(0)} / ${Math.max(...answeredMs).toFixed(0)}`,
  };
}

/**
 * `pnpm bench` (several instances): the same load, 100 plans at 200 tokens per second from
 * the simulator, on one instance (SQLite, in-process bus) and on two instances sharing
 * PostgreSQL and Redis, each plan created on one instance and watched from the other. In one
 * process (servers, upstreams and clients share its CPU), in the same run.
 */
export async function runInstancesBench(): Promise<void> {
  const rows = [];
  const cancels = [];
  for (const start of [oneOnSqlite, twoOnPostgresAndRedis]) {
    const deployment = await start();
    try {
      const apiKey = await createBenchApiKey(deployment.urls[0] as string);
      rows.push(await measure(deployment, apiKey));
      cancels.push(await measureCancels(deployment, apiKey, cancelCount));
    } finally {
      await deployment.close();
    }
  }
  console.log(
    `\nSeveral instances: ${plans} plans at once, ${tokensPerSecond} tokens/s each from the simulator`,
  );
  console.table(rows);
  console.log('Cancel (on two instances: sent to the instance that does not run the plan)');
  console.table(cancels);
}
