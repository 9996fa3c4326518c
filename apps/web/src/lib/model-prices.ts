import { trpc } from './trpc';

/** A model's price per million tokens, USD, as `system.info` lists it. */
export interface ModelPriceView {
  id: string;
  inputPerMillionUsd: number;
  outputPerMillionUsd: number;
}

/** The models the server offers, with their prices (cached for the page's life). */
export function useModelPrices(): readonly ModelPriceView[] {
  const info = trpc.system.info.useQuery(undefined, { staleTime: Number.POSITIVE_INFINITY });
  return info.data?.models ?? [];
}

/** The price of a model string: exact, else without a simulator fault suffix (`@slow`). */
export function priceOfModel(
  prices: readonly ModelPriceView[],
  model: string | null | undefined,
): ModelPriceView | undefined {
  if (!model) return undefined;
  const bare = model.split('@')[0];
  return (
    prices.find((price) => price.id === model) ??
    prices.find((price) => price.id === bare) ??
    prices.find((price) => price.id === bare?.replace(/^(anthropic|openai):/, ''))
  );
}

/**
 * The running cost while text streams, before the server's figure: the text's output tokens
 * (about four characters each in English; the server counts them exactly when the stream
 * ends) at the model's output price. Shown only as "≈ … so far".
 */
export function runningCostOf(price: ModelPriceView | undefined, text: string): number | null {
  if (!price || text.length === 0) return null;
  return (Math.ceil(text.length / 4) * price.outputPerMillionUsd) / 1_000_000;
}

/** "$3 / $15 per M tokens". */
export function describePrice(price: ModelPriceView): string {
  const amount = (value: number) => `$${Number(value.toPrecision(3))}`;
  return `${amount(price.inputPerMillionUsd)} in / ${amount(price.outputPerMillionUsd)} out per M tokens`;
}
