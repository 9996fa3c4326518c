import type { ModelPrice } from './price-table';

/** One entry of OpenRouter's `GET /api/v1/models` (the fields read here). */
interface OpenRouterModel {
  id?: unknown;
  pricing?: {
    prompt?: unknown;
    completion?: unknown;
    input_cache_read?: unknown;
    input_cache_write?: unknown;
    internal_reasoning?: unknown;
  };
}

function perToken(value: unknown): number | undefined {
  const number =
    typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : NaN;
  return Number.isFinite(number) && number >= 0 ? number : undefined;
}

/**
 * Prices from OpenRouter's public models list, by OpenRouter model id. Entries without
 * numeric prompt and completion prices (or with OpenRouter's `-1` for "varies") are skipped.
 */
export function parseOpenRouterPrices(body: unknown): Record<string, ModelPrice> {
  const data = (body as { data?: unknown })?.data;
  if (!Array.isArray(data)) throw new Error('the models list has no "data" array');
  const prices: Record<string, ModelPrice> = {};
  for (const model of data as OpenRouterModel[]) {
    if (typeof model?.id !== 'string' || model.id.length > 200) continue;
    const input = perToken(model.pricing?.prompt);
    const output = perToken(model.pricing?.completion);
    if (input === undefined || output === undefined) continue;
    const price: ModelPrice = { input, output };
    const cacheRead = perToken(model.pricing?.input_cache_read);
    const cacheWrite = perToken(model.pricing?.input_cache_write);
    const reasoning = perToken(model.pricing?.internal_reasoning);
    if (cacheRead !== undefined) price.cacheRead = cacheRead;
    if (cacheWrite !== undefined) price.cacheWrite = cacheWrite;
    if (reasoning !== undefined) price.reasoning = reasoning;
    prices[model.id] = price;
  }
  return prices;
}
