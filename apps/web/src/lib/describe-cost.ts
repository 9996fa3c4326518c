import type { CostSource } from '@sluice/shared';
import { formatCost } from './format';

export interface CostInput {
  cost: number | null;
  costSource?: CostSource | null;
  /** Still streaming. */
  generating: boolean;
  /** Ended by a stop (cancel, timeout, abandonment, budget, error): not a normal finish. */
  stopped: boolean;
}

/**
 * The cost as the page says it: "≈ $0.0031 so far" while streaming, "$0.0042 billed" or
 * "$0.0042 computed" once final, "stopped — billed $0.0012" after a stop once the provider's
 * bill arrived, and "stopped — ≈ $0.0012, waiting for the bill" before it does.
 */
export function describeCost(input: CostInput): string | null {
  if (input.cost === null) return null;
  const amount = formatCost(input.cost);
  if (input.generating) return `≈ ${amount} so far`;
  const source = input.costSource ?? null;
  if (input.stopped) {
    if (source === 'billed') return `stopped — billed ${amount}`;
    if (source === 'computed') return `stopped — ${amount} computed`;
    return `stopped — ≈ ${amount} estimated`;
  }
  if (source === 'estimated') return `≈ ${amount} estimated`;
  return source ? `${amount} ${source}` : amount;
}
