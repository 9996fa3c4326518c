import type { EndEvent, PlanEvent } from '@sluice/shared';
import { isTRPCClientError } from '@trpc/client';
import type { SluiceClient } from './client';

export interface RetryOptions {
  /** Reconnections in a row, without an event in between, before giving up. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryOptions: RetryOptions = {
  attempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 4000,
};

export interface FollowPlanEventsOptions {
  client: SluiceClient;
  planId: string;
  onEvent(event: PlanEvent): void;
  /** Called before each reconnection, `attempt` counting from 1. */
  onReconnect?(attempt: number, delayMs: number): void;
  /** Stops following; the promise then resolves with `undefined`. */
  signal: AbortSignal;
  retry?: RetryOptions;
}

/** The stream broke and every reconnection the retry options allow failed too. */
export class ConnectionLostError extends Error {
  constructor(
    readonly attempts: number,
    options: { cause: unknown },
  ) {
    super(`The event stream broke and ${attempts} reconnection attempts failed`, options);
    this.name = 'ConnectionLostError';
  }
}

/** Network failures and server-side (5xx, 408, 429) errors are worth another try. */
function isRetryable(error: unknown): boolean {
  const status = isTRPCClientError(error) ? error.data?.httpStatus : undefined;
  return status === undefined || status >= 500 || status === 408 || status === 429;
}

/**
 * Follows `plan.events` until its `end` event. When the stream breaks (a dropped
 * connection, a restarting server) it subscribes again with the last event id it saw,
 * so the server sends exactly what was missed, backing off between attempts.
 */
export function followPlanEvents(options: FollowPlanEventsOptions): Promise<EndEvent | undefined> {
  const { client, planId, signal } = options;
  const retry = options.retry ?? defaultRetryOptions;
  let lastEventId: string | undefined;
  let failures = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let disconnect = () => {};

  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(retryTimer);
      disconnect();
      signal.removeEventListener('abort', stop);
      finish();
    };
    const stop = () => settle(() => resolve(undefined));

    function reconnectLater(error: unknown): void {
      disconnect();
      if (!isRetryable(error) || failures === retry.attempts) {
        const failure = isRetryable(error)
          ? new ConnectionLostError(failures, { cause: error })
          : error;
        settle(() => reject(failure));
        return;
      }
      failures += 1;
      const delayMs = Math.min(retry.baseDelayMs * 2 ** (failures - 1), retry.maxDelayMs);
      options.onReconnect?.(failures, delayMs);
      retryTimer = setTimeout(connect, delayMs);
    }

    function connect(): void {
      // Callbacks of a connection that was dropped (unsubscribing completes it) are ignored.
      let open = true;
      const subscription = client.plan.events.subscribe(
        { planId, lastEventId },
        {
          onData({ id, data }) {
            if (!open) return;
            failures = 0;
            lastEventId = id;
            options.onEvent(data);
            if (data.type === 'end') settle(() => resolve(data));
          },
          onError(error) {
            if (open) reconnectLater(error);
          },
          onConnectionStateChange(state) {
            if (open && state.state === 'connecting' && state.error) reconnectLater(state.error);
          },
          onComplete() {
            if (open) reconnectLater(new Error('The event stream ended before the plan did'));
          },
        },
      );
      disconnect = () => {
        open = false;
        subscription.unsubscribe();
      };
    }

    if (signal.aborted) {
      stop();
      return;
    }
    signal.addEventListener('abort', stop, { once: true });
    connect();
  });
}
