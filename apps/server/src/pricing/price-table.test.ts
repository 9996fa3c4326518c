import { describe, expect, it } from 'vitest';
import { createPriceTable, priceKeys } from './price-table';

describe('the price table', () => {
  it('computes the cost of tokens from the bundled LiteLLM snapshot', () => {
    const table = createPriceTable();
    // claude-sonnet-4-5: $3 and $15 per million tokens.
    expect(
      table.costOf('anthropic:claude-sonnet-4-5', { inputTokens: 1000, outputTokens: 2000 }),
    ).toBe(0.033);
    // gpt-4o-mini: $0.15 and $0.60 per million, whether direct or through OpenRouter.
    expect(table.costOf('openai:gpt-4o-mini', { inputTokens: 1_000_000, outputTokens: 0 })).toBe(
      0.15,
    );
    expect(table.costOf('openai/gpt-4o-mini', { inputTokens: 0, outputTokens: 1_000_000 })).toBe(
      0.6,
    );
  });

  it('prices a dated model id like its alias, and a simulator fault suffix like the model', () => {
    const table = createPriceTable();
    expect(table.priceOf('anthropic:claude-sonnet-4-5-20250929')).toEqual(
      table.priceOf('anthropic:claude-sonnet-4-5'),
    );
    table.update({ 'sluice/simulator': { input: 1.5e-7, output: 6e-7 } });
    expect(table.priceOf('anthropic:sluice/simulator@error-after-5')).toEqual({
      input: 1.5e-7,
      output: 6e-7,
    });
  });

  it('maps OpenRouter’s spelling of a Claude model to the direct one and back', () => {
    expect(priceKeys('anthropic/claude-sonnet-4.5')).toContain('anthropic:claude-sonnet-4-5');
    expect(priceKeys('anthropic:claude-sonnet-4-5')).toContain('anthropic/claude-sonnet-4.5');
  });

  it('prefers refreshed prices over the snapshot', () => {
    const table = createPriceTable();
    table.update({ 'openai/gpt-4o-mini': { input: 1e-6, output: 2e-6 } });
    expect(table.costOf('openai/gpt-4o-mini', { inputTokens: 10, outputTokens: 10 })).toBe(0.00003);
  });

  it('has no cost for a model it does not know', () => {
    expect(
      createPriceTable().costOf('someone/unknown-model', { inputTokens: 1, outputTokens: 1 }),
    ).toBe(undefined);
  });
});
