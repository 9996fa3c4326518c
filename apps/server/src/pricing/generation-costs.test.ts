import { describe, expect, it } from 'vitest';
import type { ProviderRequest } from '../providers/provider';
import { createGenerationCosts } from './generation-costs';
import { createPriceTable } from './price-table';
import { countTextTokens } from './token-estimator';

const request: ProviderRequest = {
  model: 'anthropic:claude-sonnet-4-5',
  messages: [{ role: 'user', content: 'Plan my month' }],
};

describe('the usage a generation settles with', () => {
  const costs = createGenerationCosts({ prices: createPriceTable(), poller: undefined });

  it('is billed when the provider reported a cost', () => {
    const meter = costs.meter({ ...request, model: 'openai/gpt-4o-mini' }, undefined);
    expect(
      costs.settle(request, { inputTokens: 10, outputTokens: 20, cost: 0.0042 }, meter),
    ).toEqual({ inputTokens: 10, outputTokens: 20, cost: 0.0042, costSource: 'billed' });
  });

  it('is computed from the table when the provider reported tokens but no cost', () => {
    const meter = costs.meter(request, undefined);
    // $3 and $15 per million.
    expect(costs.settle(request, { inputTokens: 1000, outputTokens: 1000 }, meter)).toEqual({
      inputTokens: 1000,
      outputTokens: 1000,
      cost: 0.018,
      costSource: 'computed',
    });
  });

  it('is estimated from counted tokens when the stream stopped before its usage', () => {
    const meter = costs.meter(request, undefined);
    meter.add('Week one: run three times.');
    const settled = costs.settle(
      request,
      // Anthropic's message_start: the input tokens, one output token, to be revised.
      { inputTokens: 42, outputTokens: 1, provisional: true },
      meter,
    );
    const output = countTextTokens('Week one: run three times.');
    expect(settled).toEqual({
      inputTokens: 42,
      outputTokens: output,
      cost: Math.round((42 * 3e-6 + output * 1.5e-5) * 1e8) / 1e8,
      costSource: 'estimated',
    });
  });

  it('has no cost for a model without a price', () => {
    const unknown = { ...request, model: 'someone/unknown' };
    const settled = costs.settle(
      unknown,
      { inputTokens: 5, outputTokens: 5 },
      costs.meter(unknown, undefined),
    );
    expect(settled).toEqual({ inputTokens: 5, outputTokens: 5, cost: null, costSource: null });
  });
});
