import { describe, expect, it } from 'vitest';
import { describePrice, priceOfModel, runningCostOf } from './model-prices';

const prices = [
  { id: 'sluice/simulator', inputPerMillionUsd: 0.15, outputPerMillionUsd: 0.6 },
  { id: 'anthropic:claude-sonnet-4-5', inputPerMillionUsd: 3, outputPerMillionUsd: 15 },
];

describe('model prices in the web app', () => {
  it('finds a model’s price, also with a simulator fault suffix or a direct prefix', () => {
    expect(priceOfModel(prices, 'anthropic:claude-sonnet-4-5')?.outputPerMillionUsd).toBe(15);
    expect(priceOfModel(prices, 'sluice/simulator@slow')?.id).toBe('sluice/simulator');
    expect(priceOfModel(prices, 'openai:sluice/simulator')?.id).toBe('sluice/simulator');
    expect(priceOfModel(prices, 'someone/else')).toBeUndefined();
  });

  it('prices the text so far at the output price, and nothing without a price', () => {
    expect(runningCostOf(prices[1], 'a'.repeat(400))).toBeCloseTo((100 * 15) / 1_000_000, 12);
    expect(runningCostOf(undefined, 'text')).toBeNull();
    expect(runningCostOf(prices[1], '')).toBeNull();
  });

  it('says a price per million tokens', () => {
    expect(describePrice(prices[1] as (typeof prices)[number])).toBe(
      '$3 in / $15 out per M tokens',
    );
  });
});
