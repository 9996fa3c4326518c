import {
  lastModelPriceRefresh,
  listModelPrices,
  replaceModelPrices,
  type SluiceDatabase,
} from '@sluice/db';
import type { Logger } from 'pino';
import { parseOpenRouterPrices } from './openrouter-prices';
import type { ModelPrice, PriceTable } from './price-table';

export const priceRefreshIntervalMs = 24 * 60 * 60 * 1000;

export interface PriceRefresherDependencies {
  db: SluiceDatabase;
  table: PriceTable;
  /** OpenRouter's models list, e.g. `https://openrouter.ai/api/v1/models`; undefined offline. */
  modelsUrl: string | undefined;
  logger: Logger;
  fetch?: typeof fetch;
  now?: () => Date;
  /** Longest wait for the models list. Default 10 s. */
  timeoutMs?: number;
}

/**
 * Keeps the price table current: loads the cached prices from the database, and refreshes
 * them from OpenRouter's models list at most once a day. A failed refresh keeps what was
 * there (the cache, else the bundled snapshot) and is only logged.
 */
export function createPriceRefresher(dependencies: PriceRefresherDependencies) {
  const { db, table, modelsUrl, logger } = dependencies;
  const fetchImplementation = dependencies.fetch ?? fetch;
  const now = dependencies.now ?? (() => new Date());
  let running: Promise<boolean> | undefined;

  async function loadCached(): Promise<void> {
    const rows = await listModelPrices(db);
    const prices: Record<string, ModelPrice> = {};
    for (const row of rows) {
      prices[row.model] = {
        input: row.input_per_token,
        output: row.output_per_token,
        ...(row.cache_read_per_token === null ? {} : { cacheRead: row.cache_read_per_token }),
        ...(row.cache_write_per_token === null ? {} : { cacheWrite: row.cache_write_per_token }),
        ...(row.reasoning_per_token === null ? {} : { reasoning: row.reasoning_per_token }),
      };
    }
    table.update(prices);
  }

  async function refreshNow(): Promise<boolean> {
    if (!modelsUrl) return false;
    try {
      const response = await fetchImplementation(modelsUrl, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(dependencies.timeoutMs ?? 10_000),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const prices = parseOpenRouterPrices(await response.json());
      const entries = Object.entries(prices);
      if (entries.length === 0) throw new Error('the models list has no priced model');
      await replaceModelPrices(db, {
        prices: entries.map(([model, price]) => ({
          model,
          inputPerToken: price.input,
          outputPerToken: price.output,
          cacheReadPerToken: price.cacheRead,
          cacheWritePerToken: price.cacheWrite,
          reasoningPerToken: price.reasoning,
        })),
        source: 'openrouter-models',
        now: now(),
      });
      await loadCached();
      logger.info({ models: entries.length }, 'refreshed model prices from OpenRouter');
      return true;
    } catch (error) {
      logger.warn(
        { err: error, modelsUrl },
        'could not refresh model prices; keeping the ones we have',
      );
      return false;
    }
  }

  return {
    /** Loads the cache, then refreshes when it is older than a day (or absent). */
    async start(): Promise<void> {
      await loadCached();
      await this.refreshIfStale();
    },
    /** True when prices were fetched; false when fresh enough, offline, or failed. */
    refreshIfStale(): Promise<boolean> {
      running ??= (async () => {
        const last = await lastModelPriceRefresh(db);
        if (last && now().getTime() - Date.parse(last) < priceRefreshIntervalMs) return false;
        return refreshNow();
      })().finally(() => {
        running = undefined;
      });
      return running;
    },
  };
}
