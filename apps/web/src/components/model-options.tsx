import { describePrice, useModelPrices } from '../lib/model-prices';

/**
 * The models the server offers (its configured providers, the simulator offline), each with
 * its price per million tokens, for a model field's `list`.
 */
export function ModelOptions({ id, extra = [] }: { id: string; extra?: readonly string[] }) {
  const prices = useModelPrices();
  const priced = new Set(prices.map((price) => price.id));
  return (
    <datalist id={id}>
      {prices.map((price) => (
        <option key={price.id} value={price.id} label={`${price.id} — ${describePrice(price)}`} />
      ))}
      {extra
        .filter((model) => !priced.has(model))
        .map((model) => (
          <option key={model} value={model} />
        ))}
    </datalist>
  );
}
