import type { CostSource } from '@sluice/shared';
import { routeModel } from '../providers/model-route';
import type { ProviderRequest, ProviderUsage } from '../providers/provider';
import type { BilledCost, BilledCostPoller } from './billed-cost-poller';
import { type CostMeter, createCostMeter } from './cost-meter';
import { type PriceTable, roundDollars } from './price-table';
import { countPromptTokens } from './token-estimator';

/** A plan's or reply's usage as stored and sent: tokens, cost and where the cost comes from. */
export interface SettledUsage {
  inputTokens: number;
  outputTokens: number;
  cost: number | null;
  costSource: CostSource | null;
}

export interface GenerationCostsDependencies {
  prices: PriceTable;
  /** OpenRouter's bill for a stopped generation; undefined when there is no OpenRouter to ask. */
  poller: BilledCostPoller | undefined;
}

/**
 * The cost side of a generation: a running meter while it streams (the spend guard's
 * input), the usage it settles with (billed, computed or estimated), and the late bill
 * of a stopped OpenRouter generation.
 */
export function createGenerationCosts(dependencies: GenerationCostsDependencies) {
  const { prices, poller } = dependencies;

  return {
    /** A meter for one generation, with its ceiling (the lower of the limits that apply). */
    meter(request: ProviderRequest, ceilingUsd: number | undefined): CostMeter {
      return createCostMeter({
        price: prices.priceOf(request.model),
        inputTokens: countPromptTokens(request.messages),
        ceilingUsd,
      });
    },

    /**
     * The usage a generation ends with: the provider's figures when its usage arrived (its
     * cost `billed`, else tokens × the table `computed`), otherwise the meter's counts
     * (`estimated`; the input tokens the provider announced, when it did).
     */
    settle(
      request: ProviderRequest,
      usage: ProviderUsage | undefined,
      meter: CostMeter,
    ): SettledUsage {
      if (usage && !usage.provisional) {
        if (usage.cost !== undefined) {
          return { ...tokensOf(usage), cost: usage.cost, costSource: 'billed' };
        }
        const computed = prices.costOf(request.model, usage);
        return {
          ...tokensOf(usage),
          cost: computed ?? null,
          costSource: computed === undefined ? null : 'computed',
        };
      }
      const inputTokens = usage?.inputTokens || meter.inputTokens;
      const outputTokens = Math.max(meter.outputTokens, usage?.outputTokens ?? 0);
      const price = prices.priceOf(request.model);
      const cost =
        price === undefined
          ? null
          : roundDollars(inputTokens * price.input + outputTokens * price.output);
      return { inputTokens, outputTokens, cost, costSource: cost === null ? null : 'estimated' };
    },

    /**
     * After an estimate on OpenRouter: asks for the real bill in the background. `onBilled`
     * runs when it arrives (store it, tell subscribers); nothing waits on it.
     */
    billLater(args: {
      request: ProviderRequest;
      upstreamId: string | undefined;
      settled: SettledUsage;
      onBilled(billed: BilledCost): Promise<void> | void;
    }): boolean {
      if (!poller || !args.upstreamId || args.settled.costSource !== 'estimated') return false;
      if (routeModel(args.request.model).provider !== 'openrouter') return false;
      void poller.poll({
        generationId: args.upstreamId,
        apiKey: args.request.apiKey,
        onBilled: args.onBilled,
      });
      return true;
    },
  };
}

export type GenerationCosts = ReturnType<typeof createGenerationCosts>;

function tokensOf(usage: ProviderUsage) {
  return { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens };
}
