import { describe, expect, it } from 'vitest';
import { createCostMeter } from './cost-meter';
import { countTextTokens } from './token-estimator';

const price = { input: 1e-6, output: 1e-5 };

describe('the running cost of a stream', () => {
  it('prices the prompt and the output tokens counted so far', () => {
    const meter = createCostMeter({ price, inputTokens: 100, ceilingUsd: undefined });
    meter.add('hello world');
    meter.add(' and more');
    const output = countTextTokens('hello world') + countTextTokens(' and more');
    expect(meter.outputTokens).toBe(output);
    expect(meter.cost).toBeCloseTo(100 * 1e-6 + output * 1e-5, 10);
  });

  it('says to stop before the next delta would cross the ceiling, never after', () => {
    // 100 input tokens cost $0.0001; each output token $0.00001; the ceiling is $0.0003.
    const meter = createCostMeter({ price, inputTokens: 100, ceilingUsd: 0.0003 });
    let stoppedAt: number | undefined;
    for (let delta = 0; delta < 100; delta++) {
      meter.add(' word');
      if (meter.reachesCeiling()) {
        stoppedAt = delta;
        break;
      }
    }
    expect(stoppedAt).toBeDefined();
    expect(meter.cost).toBeLessThan(0.0003);
  });

  it('never stops without a ceiling or without a price', () => {
    const unpriced = createCostMeter({ price: undefined, inputTokens: 10, ceilingUsd: 0.000001 });
    unpriced.add('a long text '.repeat(100));
    expect(unpriced.reachesCeiling()).toBe(false);
    expect(unpriced.cost).toBeUndefined();
  });
});
