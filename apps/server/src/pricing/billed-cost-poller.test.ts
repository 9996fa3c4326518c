import { type Simulator, startSimulator } from '@sluice/simulator';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenRouterAdapter } from '../providers/openrouter/openrouter-adapter';
import { type BilledCost, createBilledCostPoller } from './billed-cost-poller';

const logger = pino({ level: 'silent' });
let simulator: Simulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

/** Streams from the simulator until the first text arrives, then stops (a cancel). */
async function cancelEarly(): Promise<string> {
  const adapter = createOpenRouterAdapter({ baseUrl: simulator?.url });
  const controller = new AbortController();
  let id = '';
  for await (const event of adapter.stream(
    { model: 'sluice/simulator@stall-after-3', messages: [{ role: 'user', content: 'Hi' }] },
    controller.signal,
  )) {
    if (event.type === 'response-metadata' && event.id) id = event.id;
    if (event.type === 'text-delta') break;
  }
  controller.abort();
  await simulator?.waitFor((record) => record.id === id && record.clientAborted);
  return id;
}

describe('the billed-cost poller', () => {
  it('gets the bill of a cancelled generation once OpenRouter knows it', async () => {
    simulator = await startSimulator({
      tokensPerSecond: 2000,
      firstTokenDelayMs: 1,
      generationStatsDelayMs: 30,
    });
    const generationId = await cancelEarly();
    const poller = createBilledCostPoller({
      baseUrl: simulator.url,
      logger,
      // Long enough in all (about 6 s) for a machine under load to record the cancel first.
      delaysMs: [1, 10, 50, 100, 200, 400, 800, 1600, 3200],
    });
    const billed: BilledCost[] = [];
    const result = await poller.poll({ generationId, onBilled: (bill) => void billed.push(bill) });

    expect(result).toBeDefined();
    expect(billed).toEqual([result]);
    expect(result?.cost).toBeGreaterThan(0);
    const stats = (await (
      await fetch(`${simulator.url}/generation?id=${generationId}`)
    ).json()) as {
      data: { total_cost: number; cancelled: boolean; tokens_completion: number };
    };
    expect(stats.data.cancelled).toBe(true);
    expect(result?.cost).toBe(stats.data.total_cost);
    expect(result?.outputTokens).toBe(stats.data.tokens_completion);
    expect(result?.outputTokens).toBeGreaterThan(0);
  });

  it('gives up after its bounded attempts, reporting nothing', async () => {
    simulator = await startSimulator({
      tokensPerSecond: 2000,
      firstTokenDelayMs: 1,
      generationStatsDelayMs: 3_600_000,
    });
    const generationId = await cancelEarly();
    let lookUps = 0;
    const poller = createBilledCostPoller({
      baseUrl: simulator.url,
      logger,
      delaysMs: [1, 1, 1, 1],
      fetch: (input, init) => {
        lookUps += 1;
        return fetch(input, init);
      },
    });
    let called = false;
    const result = await poller.poll({
      generationId,
      onBilled: () => {
        called = true;
      },
    });
    expect(result).toBeUndefined();
    expect(called).toBe(false);
    expect(lookUps).toBe(4);
  });

  it('stops at once on close, and on an answer that will not change (401)', async () => {
    const unauthorized = createBilledCostPoller({
      baseUrl: 'http://127.0.0.1:9/api/v1',
      logger,
      delaysMs: [1, 1, 1],
      fetch: async () => new Response('{"error":{"message":"No auth"}}', { status: 401 }),
    });
    let calls = 0;
    await unauthorized.poll({ generationId: 'gen-1', onBilled: () => void calls++ });
    expect(calls).toBe(0);

    const closing = createBilledCostPoller({
      baseUrl: 'http://127.0.0.1:9/api/v1',
      logger,
      delaysMs: [60_000],
    });
    const running = closing.poll({ generationId: 'gen-2', onBilled: () => void calls++ });
    expect(closing.pending).toBe(1);
    await closing.close();
    expect(await running).toBeUndefined();
    expect(closing.pending).toBe(0);
  });
});
