import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServerApp, loadConfig, type ServerApp } from '@sluice/server';
import { type Simulator, startSimulator } from '@sluice/simulator';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OpenResult } from '../fanout/fanout-client-process';
import {
  apiKeyHeaders,
  benchServerLimits,
  createBenchApiKey,
  postProcedure,
  ServerRefusedError,
} from './bench-account';
import { runSluiceClients } from './sluice-clients';
import { killAllWorkers, startWorker } from './start-worker';

interface Stack {
  url: string;
  close(): Promise<void>;
}

const stacks: Stack[] = [];

/** The real server (SQLite file) with the bench's limits, plus `env`, on the real simulator. */
async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const simulator: Simulator = await startSimulator({
    tokensPerSecond: 20,
    firstTokenDelayMs: 5,
    keepAliveIntervalMs: 50,
  });
  const directory = mkdtempSync(join(tmpdir(), 'sluice-bench-test-'));
  const app: ServerApp = await createServerApp(
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
  const url = await app.listen();
  const stack = {
    url,
    async close() {
      await app.close();
      await simulator.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
  stacks.push(stack);
  return stack;
}

afterEach(async () => {
  killAllWorkers();
  await Promise.all(stacks.splice(0).map((stack) => stack.close()));
});

const load = (url: string, streams: number) => ({
  url,
  runId: 'test',
  streams,
  pieces: 40,
  rampMs: 0,
  // Far past the test's own timeout: a refusal must end the run, not this deadline.
  signal: AbortSignal.timeout(120_000),
});

describe('the bench account', () => {
  it('signs up the first account and its API key authorizes procedures that refuse anonymous callers', async () => {
    const { url } = await startStack();
    const apiKey = await createBenchApiKey(url);

    const created = (await postProcedure(
      url,
      'plan.create',
      { goals: 'Swim a mile' },
      apiKeyHeaders(apiKey),
    )) as { planId: string };
    expect(created.planId).toEqual(expect.any(String));

    const anonymous = postProcedure(url, 'plan.create', { goals: 'Swim a mile' }, {});
    await expect(anonymous).rejects.toThrow(ServerRefusedError);
    await expect(anonymous).rejects.toThrow(/refused plan\.create: HTTP 401/);
  });

  it('Sluice clients with a key the server does not know stop at once with the 401', async () => {
    const { url } = await startStack();
    await createBenchApiKey(url);

    const run = runSluiceClients({ ...load(url, 5), apiKey: 'sk-not-a-key-of-this-server' });
    await expect(run).rejects.toThrow(ServerRefusedError);
    await expect(run).rejects.toThrow(/refused plan\.create: HTTP 401/);
  });

  it('Sluice clients past the per-account subscription cap stop at once with the 429', async () => {
    const { url } = await startStack({ MAX_SUBSCRIPTIONS_PER_CLIENT: '1' });
    const apiKey = await createBenchApiKey(url);

    // 40 pieces at 20 per second: the first stream is still open when the others subscribe.
    const run = runSluiceClients({ ...load(url, 3), apiKey });
    await expect(run).rejects.toThrow(ServerRefusedError);
    await expect(run).rejects.toThrow(/refused a plan\.events subscription: HTTP 429/);
  });

  it('the fan-out readers report the refusal of every subscriber with the status and the answer', async () => {
    const { url } = await startStack();
    const apiKey = await createBenchApiKey(url);
    const { planId } = (await postProcedure(
      url,
      'plan.create',
      { goals: 'Row 2k' },
      apiKeyHeaders(apiKey),
    )) as { planId: string };
    const readers = await startWorker(
      new URL('../fanout/fanout-client-process.ts', import.meta.url),
    );
    const eventsUrl = `${url}/trpc/plan.events?input=${encodeURIComponent(JSON.stringify({ planId }))}`;

    await readers.request<OpenResult>('open', {
      url: eventsUrl,
      count: 3,
      headers: apiKeyHeaders('sk-not-a-key-of-this-server'),
    });
    // The server may say `connected` before the error event: wait for every answer.
    const refused = await vi.waitFor(
      async () => {
        const progress = await readers.request<OpenResult>('progress');
        if (progress.failed < 3) throw new Error(`${progress.failed} of 3 answered`);
        return progress;
      },
      { timeout: 20_000, interval: 20 },
    );
    expect(refused).toMatchObject({ connected: 0, failed: 3, refused: 3 });
    expect(refused.firstRefusal?.status).toBe(401);
    expect(refused.firstRefusal?.body).toMatch(/UNAUTHORIZED/);

    await readers.request('closeAll');
    const accepted = await readers.request<OpenResult>('open', {
      url: eventsUrl,
      count: 3,
      headers: apiKeyHeaders(apiKey),
    });
    expect(accepted).toMatchObject({ connected: 3, refused: 0 });
    await readers.stop();
  });
});
