import snapshot from './price-snapshot.json' with { type: 'json' };

/** A model's prices, USD per token. */
export interface ModelPrice {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
}

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
}

/** Where the bundled prices come from: shown by `system.info` and the README. */
export const priceSnapshotSource = {
  source: snapshot.source,
  sourceUrl: snapshot.sourceUrl,
  retrievedAt: snapshot.retrievedAt,
};

export const bundledPrices: Readonly<Record<string, ModelPrice>> = snapshot.models;

const datedSuffix = /-(\d{8}|\d{4}-\d{2}-\d{2})$/;

/**
 * The names a model string may be priced under, most specific first: Sluice's route
 * (`anthropic:claude-sonnet-4-5`, `openai/gpt-4o-mini`), without a simulator fault suffix
 * or a date suffix, and OpenRouter's and the direct routes' spellings of the same model.
 */
export function priceKeys(model: string): string[] {
  const bare = model.split('@')[0] ?? model;
  const keys = [bare];
  const undated = bare.replace(datedSuffix, '');
  if (undated !== bare) keys.push(undated);
  const direct = /^(anthropic|openai):(.+)$/.exec(undated);
  if (direct) {
    const [, provider, name] = direct;
    keys.push(`${provider}/${name}`, name as string);
    if (provider === 'anthropic')
      keys.push(`anthropic/${(name as string).replace(/-(\d)-(\d)\b/, '-$1.$2')}`);
  }
  const routed = /^(anthropic|openai)\/(.+)$/.exec(undated);
  if (routed) {
    const [, provider, name] = routed;
    keys.push(
      `${provider}:${(name as string).replace(/(\d)\.(\d)/g, provider === 'anthropic' ? '$1-$2' : '$1.$2')}`,
    );
  }
  return [...new Set(keys)];
}

/**
 * Prices by model: the refreshed ones (OpenRouter's models list, cached in the database)
 * over the bundled snapshot. Computes what tokens cost where a provider reports none.
 */
export function createPriceTable(initial: Readonly<Record<string, ModelPrice>> = bundledPrices) {
  let refreshed: Readonly<Record<string, ModelPrice>> = {};
  const table = {
    /** Replaces the refreshed prices (the snapshot stays underneath). */
    update(prices: Readonly<Record<string, ModelPrice>>): void {
      refreshed = prices;
    },
    priceOf(model: string): ModelPrice | undefined {
      for (const key of priceKeys(model)) {
        const price = refreshed[key] ?? initial[key];
        if (price) return price;
      }
      return undefined;
    },
    /** Tokens × prices, in USD; undefined when the model has no price. */
    costOf(model: string, tokens: TokenCounts): number | undefined {
      const price = table.priceOf(model);
      if (!price) return undefined;
      return roundDollars(tokens.inputTokens * price.input + tokens.outputTokens * price.output);
    },
    /** Every priced model, refreshed ones first (for the web app's model field). */
    list(): Array<{ model: string; price: ModelPrice }> {
      const merged = { ...initial, ...refreshed };
      return Object.entries(merged).map(([model, price]) => ({ model, price }));
    },
  };
  return table;
}

export type PriceTable = ReturnType<typeof createPriceTable>;

/** Drops floating-point noise below a millionth of a cent. */
export function roundDollars(amount: number): number {
  return Math.round(amount * 1e8) / 1e8;
}
