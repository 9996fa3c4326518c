import { setTimeout as sleepFor } from 'node:timers/promises';
import type { ProviderAdapter, ProviderEvent, ProviderRequest } from './provider';
import { type ProviderError, toProviderError } from './provider-error';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the error is reported instead. */
  maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 300,
  maxDelayMs: 5000,
  maxRetryAfterMs: 30_000,
};

export interface RetryHooks {
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  onAttempt?: (attempt: number) => void;
  onRetry?: (info: { attempt: number; delayMs: number; error: ProviderError }) => void;
  /**
   * Each attempt's end, once: `success` (the stream ended normally), `retried` (it failed and
   * another attempt follows), `failed` (it failed for good), `aborted` (the signal fired).
   */
  onAttemptEnd?: (info: { attempt: number; outcome: AttemptOutcome }) => void;
}

export type AttemptOutcome = 'success' | 'retried' | 'failed' | 'aborted';

/** Full jitter: a random delay up to the exponential bound, or the server's Retry-After. */
export function retryDelay(
  attempt: number,
  error: ProviderError,
  policy: RetryPolicy,
  random: () => number,
): number {
  if (error.retryAfterMs !== undefined) return error.retryAfterMs;
  const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * bound);
}

function producesOutput(event: ProviderEvent): boolean {
  return event.type === 'text-delta' || event.type === 'reasoning-delta';
}

/**
 * Streams with retries, only before the first token: once anything was produced a
 * failure is reported, so no text is ever duplicated. An error chunk that arrives
 * before the first token counts as a failed attempt too.
 */
export async function* streamWithRetry(
  adapter: ProviderAdapter,
  request: ProviderRequest,
  signal: AbortSignal,
  policy: RetryPolicy = defaultRetryPolicy,
  hooks: RetryHooks = {},
): AsyncGenerator<ProviderEvent> {
  const random = hooks.random ?? Math.random;
  const sleep =
    hooks.sleep ?? ((ms, abortSignal) => sleepFor(ms, undefined, { signal: abortSignal }));
  for (let attempt = 1; ; attempt++) {
    hooks.onAttempt?.(attempt);
    let started = false;
    let failure: ProviderError | undefined;
    try {
      for await (const event of adapter.stream(request, signal)) {
        if (!started && event.type === 'error') {
          failure = event.error;
          break;
        }
        if (producesOutput(event)) started = true;
        yield event;
      }
    } catch (error) {
      failure = toProviderError(error, signal);
    }
    if (!failure) {
      hooks.onAttemptEnd?.({ attempt, outcome: 'success' });
      return;
    }
    if (signal.aborted) {
      hooks.onAttemptEnd?.({ attempt, outcome: 'aborted' });
      throw toProviderError(signal.reason, signal);
    }
    const delayMs = retryDelay(attempt, failure, policy, random);
    const retryAfterTooLong =
      failure.retryAfterMs !== undefined && failure.retryAfterMs > policy.maxRetryAfterMs;
    if (started || !failure.isRetryable || attempt >= policy.maxAttempts || retryAfterTooLong) {
      hooks.onAttemptEnd?.({ attempt, outcome: 'failed' });
      throw failure;
    }
    hooks.onAttemptEnd?.({ attempt, outcome: 'retried' });
    hooks.onRetry?.({ attempt, delayMs, error: failure });
    try {
      await sleep(delayMs, signal);
    } catch (error) {
      throw toProviderError(error, signal);
    }
  }
}
