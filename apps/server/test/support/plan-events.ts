import type { PlanEvent } from '@sluice/shared';
import { servedSignal } from './served-subscriptions';
import type { SluiceClient } from './test-stack';

export interface ReceivedEvent {
  id: string | undefined;
  event: PlanEvent;
}

/** Applies events the way a client must: a snapshot replaces the text, deltas append. */
export function assembleText(events: readonly ReceivedEvent[], initial = ''): string {
  let text = initial;
  for (const { event } of events) {
    if (event.type === 'snapshot') text = event.content;
    else if (event.type === 'text-delta') text += event.text;
  }
  return text;
}

export interface Subscription {
  events: ReceivedEvent[];
  /**
   * Resolves once the server serves this subscription: an event published afterwards
   * reaches it. From the server's own record for a test stack's client, or from the first
   * event (the server subscribes to the plan's events before it sends anything). With
   * several subscriptions to one plan, await them all. Rejects if the subscription fails.
   */
  connected: Promise<void>;
  /** Resolves when the `end` event arrived (or rejects on a subscription error). */
  ended: Promise<ReceivedEvent[]>;
  /** Resolves once `count` events (in all) have arrived. */
  received(count: number): Promise<void>;
  unsubscribe(): void;
  readonly lastEventId: string | undefined;
}

/** Subscribes to plan.events with the real httpSubscriptionLink. */
export function subscribePlan(
  client: SluiceClient,
  planId: string,
  lastEventId?: string,
): Subscription {
  const events: ReceivedEvent[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let settle!: { resolve: (events: ReceivedEvent[]) => void; reject: (error: unknown) => void };
  const ended = new Promise<ReceivedEvent[]>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const served = servedSignal(client, planId);
  let firstEvent!: () => void;
  let failConnected!: (error: unknown) => void;
  const connected = new Promise<void>((resolve, reject) => {
    firstEvent = resolve;
    failConnected = reject;
    served?.then(resolve);
  });
  // Awaiting `connected` still rejects on a failed subscription; left unused it stays quiet.
  connected.catch(() => {});
  const subscription = client.plan.events.subscribe(
    { planId, lastEventId },
    {
      onData(tracked) {
        events.push({ id: tracked.id, event: tracked.data as PlanEvent });
        firstEvent();
        for (const waiter of [...waiters]) {
          if (events.length >= waiter.count) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve();
          }
        }
        if (tracked.data.type === 'end') settle.resolve(events);
      },
      onError(error) {
        failConnected(error);
        settle.reject(error);
      },
    },
  );
  return {
    events,
    connected,
    ended,
    received(count) {
      if (events.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    unsubscribe: () => subscription.unsubscribe(),
    get lastEventId() {
      return events.at(-1)?.id;
    },
  };
}
