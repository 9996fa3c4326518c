import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type Simulator, startSimulator } from '@sluice/simulator';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { assembleText, subscribePlan } from './support/plan-events';
import { createUser, startTestStack, type TestStack } from './support/test-stack';

const serverDirectory = join(import.meta.dirname, '..');
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Runs the real server entry point (`src/main.ts`) as its own process. */
async function spawnServer(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string }> {
  // One process (no tsx wrapper), so SIGKILL really kills the server.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: serverDirectory,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('the server did not start within 20 s')),
      20_000,
    );
    lines.on('line', (line) => {
      const match = /"url":"(http:[^"]+)"/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
  });
  return { child, url };
}

async function setUp(): Promise<{ simulator: Simulator; directory: string; databasePath: string }> {
  const simulator = await startSimulator({
    tokensPerSecond: 150,
    firstTokenDelayMs: 5,
    retryAfterSeconds: 0,
  });
  const directory = mkdtempSync(join(tmpdir(), 'sluice-restart-'));
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  cleanups.push(() => simulator.close());
  return { simulator, directory, databasePath: join(directory, 'sluice.db') };
}

describe('a server that dies mid-generation', { timeout: 30_000 }, () => {
  it('leaves the plan partial with its saved content, and a resume continues from it', async () => {
    const { simulator, directory, databasePath } = await setUp();
    const env = {
      DATABASE_URL: databasePath,
      OPENROUTER_BASE_URL: simulator.url,
      FLUSH_INTERVAL_MS: '50',
    };
    const { child, url } = await spawnServer(env);
    const owner = await createUser({ url });
    const { client } = owner;
    const { planId } = await client.plan.create.mutate({ goals: 'Write a short story every week' });
    const watcher = subscribePlan(client, planId);
    await watcher.received(40);
    // Wait for a throttled flush to land in the database file, then kill without any
    // chance to clean up.
    const sqlite = new Database(databasePath, { readonly: true });
    try {
      const saved = sqlite.prepare<[string], { length: number }>(
        'select length(partial_content) as length from plans where id = ?',
      );
      await expect
        .poll(() => saved.get(planId)?.length ?? 0, { timeout: 10_000, interval: 20 })
        .toBeGreaterThan(0);
    } finally {
      sqlite.close();
    }
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    watcher.unsubscribe();
    const seen = assembleText(watcher.events);

    const stack: TestStack = await startTestStack({
      directory,
      env: { OPENROUTER_BASE_URL: simulator.url },
      user: owner,
    });
    cleanups.push(() => stack.close());
    const plan = await stack.client.plan.get.query({ planId });
    expect(plan.status).toBe('partial');
    expect(plan.reason).toBe('server-restart');
    expect(plan.content.length).toBeGreaterThan(0);
    // What was saved is a prefix of what the upstream sent.
    expect(simulator.requests[0]?.text.startsWith(plan.content)).toBe(true);

    // Resuming with the last id seen gives a text that ends as the saved content.
    const resumed = await subscribePlan(stack.client, planId, watcher.lastEventId).ended;
    const snapshot = resumed[0]?.event.type === 'snapshot';
    expect(assembleText(resumed, snapshot ? '' : seen)).toBe(plan.content);
    expect(resumed.at(-1)?.event).toEqual({
      type: 'end',
      status: 'partial',
      reason: 'server-restart',
    });
  });

  it('saves everything streamed so far when stopped gracefully (SIGTERM)', async () => {
    const { simulator, directory, databasePath } = await setUp();
    const env = {
      DATABASE_URL: databasePath,
      OPENROUTER_BASE_URL: simulator.url,
      FLUSH_INTERVAL_MS: '10000',
    };
    const { child, url } = await spawnServer(env);
    const owner = await createUser({ url });
    const { client } = owner;
    const { planId } = await client.plan.create.mutate({ goals: 'Practise piano daily' });
    const watcher = subscribePlan(client, planId);
    await watcher.received(30);
    child.kill('SIGTERM');
    const events = await watcher.ended;
    expect(events.at(-1)?.event).toEqual({
      type: 'end',
      status: 'partial',
      reason: 'server-restart',
    });
    await new Promise((resolve) => child.once('exit', resolve));
    expect(child.exitCode).toBe(0);

    const stack = await startTestStack({
      directory,
      env: { OPENROUTER_BASE_URL: simulator.url },
      user: owner,
    });
    cleanups.push(() => stack.close());
    const plan = await stack.client.plan.get.query({ planId });
    expect(plan.status).toBe('partial');
    // Nothing was lost to the (long) flush throttle: shutdown wrote the whole text.
    expect(plan.content).toBe(assembleText(events));
    // Bytes still in flight when the upstream request was aborted are the only difference.
    expect(simulator.requests[0]?.text.startsWith(plan.content)).toBe(true);
  });
});
