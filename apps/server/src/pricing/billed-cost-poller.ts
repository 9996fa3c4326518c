import { setTimeout as sleepFor } from 'node:timers/promises';
import type { Logger } from 'pino';

/** What OpenRouter billed for one generation. */
export interface BilledCost {
  inputTokens: number;
  outputTokens: number;
  cost: number;
}

/** Waits before each look-up: OpenRouter knows a generation a few seconds after its end. */
export const defaultBillingDelaysMs: readonly number[] = [1000, 2000, 4000, 8000, 15_000, 30_000];

export interface BilledCostPollerOptions {
  /** OpenRouter's base URL, ending before `/generation`. */
  baseUrl: string;
  logger: Logger;
  /** The waits before each attempt; their count bounds the attempts. */
  delaysMs?: readonly number[];
  fetch?: typeof fetch;
  /** Longest wait for one answer. Default 10 s. */
  requestTimeoutMs?: number;
}

export interface BillingRequest {
  /** OpenRouter's generation id (`gen-…`), from the stream or the `X-Generation-Id` header. */
  generationId: string;
  /** The key that paid for the generation, if any (the look-up needs the same account). */
  apiKey?: string;
  /** Called once, with the billed figures. */
  onBilled(billed: BilledCost): Promise<void> | void;
}

function parseBill(body: unknown): BilledCost | undefined {
  const data = (body as { data?: Record<string, unknown> } | null)?.data;
  if (!data || typeof data !== 'object') return undefined;
  const number = (...values: unknown[]) => {
    const found = values.find(
      (value) => typeof value === 'number' && Number.isFinite(value) && value >= 0,
    );
    return found as number | undefined;
  };
  const cost = number(data.total_cost, data.usage);
  if (cost === undefined) return undefined;
  return {
    inputTokens: number(data.native_tokens_prompt, data.tokens_prompt) ?? 0,
    outputTokens: number(data.native_tokens_completion, data.tokens_completion) ?? 0,
    cost,
  };
}

/**
 * Asks OpenRouter what a generation really cost (`GET /generation?id=`), for cancelled,
 * abandoned, timed-out and failed streams whose usage never arrived. Runs in the background
 * with bounded backoff: `poll` returns at once and nothing waits on it.
 */
export function createBilledCostPoller(options: BilledCostPollerOptions) {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const delays = options.delaysMs ?? defaultBillingDelaysMs;
  const fetchImplementation = options.fetch ?? fetch;
  const closing = new AbortController();
  const pending = new Set<Promise<BilledCost | undefined>>();

  async function lookUp(request: BillingRequest): Promise<'retry' | 'stop' | BilledCost> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (request.apiKey) headers.authorization = `Bearer ${request.apiKey}`;
    const response = await fetchImplementation(
      `${baseUrl}/generation?id=${encodeURIComponent(request.generationId)}`,
      {
        headers,
        signal: AbortSignal.any([
          closing.signal,
          AbortSignal.timeout(options.requestTimeoutMs ?? 10_000),
        ]),
      },
    );
    if (response.status === 404 || response.status === 429 || response.status >= 500) {
      await response.body?.cancel();
      return 'retry';
    }
    if (!response.ok) {
      await response.body?.cancel();
      return 'stop';
    }
    return parseBill(await response.json()) ?? 'retry';
  }

  async function run(request: BillingRequest): Promise<BilledCost | undefined> {
    for (const [index, delayMs] of delays.entries()) {
      try {
        await sleepFor(delayMs, undefined, { signal: closing.signal });
        const answer = await lookUp(request);
        if (answer === 'stop') break;
        if (answer === 'retry') continue;
        await request.onBilled(answer);
        return answer;
      } catch (error) {
        if (closing.signal.aborted) return undefined;
        options.logger.debug(
          { err: error, attempt: index + 1, generationId: request.generationId },
          'billing look-up failed',
        );
      }
    }
    options.logger.info(
      { generationId: request.generationId },
      'OpenRouter did not report the generation’s cost; keeping the estimate',
    );
    return undefined;
  }

  return {
    /** Starts looking up the bill in the background; the promise is for tests and shutdown. */
    poll(request: BillingRequest): Promise<BilledCost | undefined> {
      const running = run(request).finally(() => pending.delete(running));
      pending.add(running);
      return running;
    },
    get pending() {
      return pending.size;
    },
    /** Stops every look-up (server shutdown); estimates stay as they are. */
    async close(): Promise<void> {
      closing.abort();
      await Promise.allSettled([...pending]);
    },
  };
}

export type BilledCostPoller = ReturnType<typeof createBilledCostPoller>;
