import { migrateToLatest, openDatabase, type SluiceDatabase } from '@sluice/db';
import { type Simulator, startSimulator } from '@sluice/simulator';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPriceRefresher, priceRefreshIntervalMs } from './price-refresher';
import { createPriceTable } from './price-table';

let db: SluiceDatabase;
let simulator: Simulator;
beforeEach(async () => {
  db = openDatabase({ url: ':memory:' });
  await migrateToLatest(db);
  simulator = await startSimulator({ firstTokenDelayMs: 1 });
});
afterEach(async () => {
  await db.destroy();
  await simulator.close();
});

const logger = pino({ level: 'silent' });

describe('the price refresher', () => {
  it('refreshes from the models list at most once a day and caches the prices in the database', async () => {
    let time = Date.parse('2026-12-03T10:00:00Z');
    let fetches = 0;
    const countingFetch: typeof fetch = (input, init) => {
      fetches += 1;
      return fetch(input, init);
    };
    const table = createPriceTable();
    const refresher = createPriceRefresher({
      db,
      table,
      modelsUrl: `${simulator.url}/models`,
      logger,
      fetch: countingFetch,
      now: () => new Date(time),
    });
    await refresher.start();
    expect(fetches).toBe(1);
    expect(table.priceOf('sluice/simulator')).toEqual({ input: 1.5e-7, output: 6e-7 });

    time += priceRefreshIntervalMs - 1;
    expect(await refresher.refreshIfStale()).toBe(false);
    expect(fetches).toBe(1);

    time += 1;
    expect(await refresher.refreshIfStale()).toBe(true);
    expect(fetches).toBe(2);

    // A new process reads the cache without fetching.
    const later = createPriceTable();
    await createPriceRefresher({ db, table: later, modelsUrl: undefined, logger }).start();
    expect(later.priceOf('sluice/simulator')).toEqual({ input: 1.5e-7, output: 6e-7 });
  });

  it('keeps the cached prices when a refresh fails', async () => {
    let time = Date.parse('2026-12-03T10:00:00Z');
    const table = createPriceTable();
    await createPriceRefresher({
      db,
      table,
      modelsUrl: `${simulator.url}/models`,
      logger,
      now: () => new Date(time),
    }).start();
    time += priceRefreshIntervalMs;
    const failing = createPriceRefresher({
      db,
      table,
      modelsUrl: `${simulator.url}/models`,
      logger,
      fetch: async () => new Response('{"data": "nope"}', { status: 200 }),
      now: () => new Date(time),
    });
    expect(await failing.refreshIfStale()).toBe(false);
    expect(table.priceOf('sluice/simulator')).toEqual({ input: 1.5e-7, output: 6e-7 });
  });
});
