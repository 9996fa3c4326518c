import { type ModelPrice, roundDollars } from './price-table';
import { countTextTokens } from './token-estimator';

export interface CostMeterOptions {
  /** The model's price; without one the meter counts tokens but prices nothing. */
  price: ModelPrice | undefined;
  /** The prompt's tokens (counted before sending). */
  inputTokens: number;
  /** Stop before the running cost crosses this, USD; undefined: no ceiling. */
  ceilingUsd: number | undefined;
}

/** Output tokens assumed to be in flight beyond the last delta: the next delta's worth. */
const minimumHeadroomTokens = 8;

/**
 * The running cost of a streaming generation, from the output tokens so far (counted with
 * the tokenizer), and the spend guard's question: would the next delta cross the ceiling?
 */
export function createCostMeter(options: CostMeterOptions) {
  const { price, inputTokens, ceilingUsd } = options;
  let outputTokens = 0;
  let lastDeltaTokens = 0;

  const costOf = (output: number) =>
    price === undefined ? undefined : inputTokens * price.input + output * price.output;

  return {
    /** Counts a delta of streamed text (content or reasoning: both are billed as output). */
    add(text: string): void {
      lastDeltaTokens = countTextTokens(text);
      outputTokens += lastDeltaTokens;
    },
    get inputTokens() {
      return inputTokens;
    },
    get outputTokens() {
      return outputTokens;
    },
    /** USD so far; undefined when the model has no price. */
    get cost(): number | undefined {
      const cost = costOf(outputTokens);
      return cost === undefined ? undefined : roundDollars(cost);
    },
    /**
     * True when the cost so far plus one more delta (at least a few tokens) would reach the
     * ceiling: the stream should stop now, before it is crossed.
     */
    reachesCeiling(): boolean {
      if (ceilingUsd === undefined) return false;
      const next = costOf(outputTokens + Math.max(lastDeltaTokens, minimumHeadroomTokens));
      return next !== undefined && next >= ceilingUsd;
    },
  };
}

export type CostMeter = ReturnType<typeof createCostMeter>;
